using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;
using Nectr.GitHub;

namespace Nectr.Repos;

/// <summary>
/// <c>GET /api/v1/repos</c> and <c>POST|DELETE /api/v1/repos/{owner}/{repo}/install</c>, for the signed-in user.
/// The work is in <see cref="RepoDirectory"/> and <see cref="RepoConnections"/>, which the dashboard calls too.
/// </summary>
internal static partial class RepoEndpoints
{
    public static IEndpointRouteBuilder MapRepos(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/v1/repos").RequireNectrUser(SignInAgain);
        group.MapGet("", ListAsync);
        group.MapPost("/{owner}/{repo}/install", ConnectAsync);
        group.MapDelete("/{owner}/{repo}/install", DisconnectAsync);
        return app;
    }

    private static async Task<Results<Ok<RepoListResponse>, ProblemHttpResult>> ListAsync(
        NectrUser user, RepoDirectory directory, string? q, CancellationToken cancellationToken)
    {
        return await directory.ListAsync(user.Id, q, cancellationToken) switch
        {
            RepoListResult.Listed listed => TypedResults.Ok(new RepoListResponse(listed.Repositories.Count, listed.Repositories)),
            RepoListResult.GitHubFailed failed => GitHubFailed(failed.Status, failed.Message),
            _ => SignInAgain(),
        };
    }

    private static Task<Results<Ok<RepoConnectionResponse>, ProblemHttpResult>> ConnectAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, RepoConnections connections, string owner, string repo, CancellationToken cancellationToken) =>
        ChangeAsync(context, antiforgery, owner, repo, () => connections.ConnectAsync(user.Id, owner, repo, cancellationToken));

    private static Task<Results<Ok<RepoConnectionResponse>, ProblemHttpResult>> DisconnectAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, RepoConnections connections, string owner, string repo, CancellationToken cancellationToken) =>
        ChangeAsync(context, antiforgery, owner, repo, () => connections.DisconnectAsync(user.Id, owner, repo, cancellationToken));

    private static async Task<Results<Ok<RepoConnectionResponse>, ProblemHttpResult>> ChangeAsync(
        HttpContext context, IAntiforgery antiforgery, string owner, string repo, Func<Task<RepoConnectionResult>> change)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        if (!GitHubNames.IsOwner(owner) || !GitHubNames.IsRepository(repo))
        {
            return TypedResults.Problem($"'{owner}/{repo}' is not a GitHub repository name.", statusCode: StatusCodes.Status400BadRequest, title: "Invalid repository name");
        }

        return ToHttp(await change());
    }

    internal static Results<Ok<RepoConnectionResponse>, ProblemHttpResult> ToHttp(RepoConnectionResult result) => result switch
    {
        RepoConnectionResult.Connected c => TypedResults.Ok(new RepoConnectionResponse(c.ReusedHook ? "connected_reused_hook" : "connected", c.Connection)),
        RepoConnectionResult.AlreadyConnected a => TypedResults.Ok(new RepoConnectionResponse("already_connected", a.Connection)),
        RepoConnectionResult.Disconnected d => TypedResults.Ok(new RepoConnectionResponse(d.HookDeleted ? "disconnected" : "disconnected_hook_already_gone", d.Connection)),
        RepoConnectionResult.NotAdmin n => TypedResults.Problem(
            $"Connecting {n.FullName} installs a webhook, which needs admin rights on the repository. Ask an administrator of {n.FullName} to connect it.",
            statusCode: StatusCodes.Status403Forbidden, title: "Admin rights required"),
        RepoConnectionResult.NotFound n => TypedResults.Problem(
            $"GitHub does not show you {n.FullName}: check the name, or that your GitHub account (and Nectr's OAuth app, for organisations) can see it.",
            statusCode: StatusCodes.Status404NotFound, title: "Repository not found"),
        RepoConnectionResult.HooksForbidden h => TypedResults.Problem(
            $"GitHub refused access to the webhooks of {h.FullName}: your sign-in did not grant the admin:repo_hook scope. Sign out and sign in again, accepting it.",
            statusCode: StatusCodes.Status403Forbidden, title: "Webhook access not granted"),
        RepoConnectionResult.BackendUrlMissing => TypedResults.Problem(
            "BACKEND_URL is not set, so Nectr cannot tell GitHub where to deliver. Set BACKEND_URL to the public https:// address GitHub reaches Nectr at (e.g. https://nectr.example.com) and restart Nectr.",
            statusCode: StatusCodes.Status503ServiceUnavailable, title: "BACKEND_URL is not configured"),
        RepoConnectionResult.CoveredByApp app => TypedResults.Problem(
            $"{app.Connection.FullName} is connected through an installation of Nectr's GitHub App, so Nectr has no webhook to remove. "
            + $"To disconnect it, remove it from the installation on GitHub: {app.ManageUrl}",
            statusCode: StatusCodes.Status409Conflict, title: "Connected through the GitHub App"),
        RepoConnectionResult.GitHubFailed f => GitHubFailed(f.Status, f.Message),
        _ => SignInAgain(),
    };

    private static ProblemHttpResult SignInAgain() => TypedResults.Problem(
        "Nectr has no usable GitHub token for you (it expired or was revoked). Sign in with GitHub again.",
        statusCode: StatusCodes.Status401Unauthorized, title: "Sign in again");

    private static ProblemHttpResult GitHubFailed(int status, string message) => TypedResults.Problem(
        $"{message}. Nothing was changed in Nectr; try again later.",
        statusCode: status is 403 or 429 || status >= 500 ? StatusCodes.Status503ServiceUnavailable : StatusCodes.Status502BadGateway,
        title: "GitHub request failed");
}

internal sealed record RepoListResponse(int Total, IReadOnlyList<RepoListItem> Repositories);

/// <summary>The outcome (<c>connected</c>, <c>already_connected</c>, <c>disconnected</c>, …) and the connection as it now is.</summary>
internal sealed record RepoConnectionResponse(string Status, RepoConnection Connection);
