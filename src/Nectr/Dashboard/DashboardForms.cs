using Microsoft.AspNetCore.Antiforgery;
using Nectr.Auth;
using Nectr.Events;
using Nectr.Repos;

namespace Nectr.Dashboard;

/// <summary>
/// The dashboard's buttons: plain HTML form posts (antiforgery token required) that call the same services as the
/// API and redirect back with a notice code. Notices are fixed texts chosen by code, never text from the URL.
/// </summary>
internal static class DashboardForms
{
    public static IEndpointRouteBuilder MapDashboardForms(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("").RequireNectrUser(Antiforgery.Rejected).DisableAntiforgery(); // validated explicitly below, with a clear answer
        group.MapPost("/repositories/{owner}/{repo}/connect", (HttpContext c, NectrUser user, string owner, string repo, RepoConnections connections) =>
            WithAntiforgeryAsync(c, async ct => RepositoriesNotice(await connections.ConnectAsync(user.Id, owner, repo, ct), owner, repo)));
        group.MapPost("/repositories/{owner}/{repo}/disconnect", (HttpContext c, NectrUser user, string owner, string repo, RepoConnections connections) =>
            WithAntiforgeryAsync(c, async ct => RepositoriesNotice(await connections.DisconnectAsync(user.Id, owner, repo, ct), owner, repo)));
        group.MapPost("/activity/{deliveryId:long}/retry", (HttpContext c, NectrUser user, long deliveryId, ActivityLog activity) =>
            WithAntiforgeryAsync(c, async ct => "/activity?notice=" + (await activity.RetryAsync(user.Id, deliveryId, ct) switch
            {
                RetryResult.Requeued => "retried",
                RetryResult.NotParked => "not_parked",
                _ => "not_found",
            })));
        return app;
    }

    private static async Task<IResult> WithAntiforgeryAsync(HttpContext context, Func<CancellationToken, Task<string>> action)
    {
        var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        // 303 See Other: the browser follows with a GET, so reloading the page does not post again.
        context.Response.Headers.Location = await action(context.RequestAborted);
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }

    private static string RepositoriesNotice(RepoConnectionResult result, string owner, string repo)
    {
        var code = result switch
        {
            RepoConnectionResult.Connected => "connected",
            RepoConnectionResult.AlreadyConnected => "already_connected",
            RepoConnectionResult.Disconnected => "disconnected",
            RepoConnectionResult.NotAdmin => "not_admin",
            RepoConnectionResult.NotFound => "not_found",
            RepoConnectionResult.HooksForbidden => "hooks_forbidden",
            RepoConnectionResult.BackendUrlMissing => "backend_url_missing",
            RepoConnectionResult.CoveredByApp => "covered_by_app",
            RepoConnectionResult.SignInRequired => "sign_in_required",
            _ => "github_failed",
        };
        return $"/repositories?notice={code}&repo={Uri.EscapeDataString(owner + "/" + repo)}";
    }
}
