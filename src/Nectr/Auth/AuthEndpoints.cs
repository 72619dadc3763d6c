using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Auth;

/// <summary><c>/auth/me</c>, <c>/auth/logout</c> and the antiforgery token for API clients; sign-in lives in <c>OAuthEndpoints</c>.</summary>
internal static class AuthEndpoints
{
    public static IEndpointRouteBuilder MapAuth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/auth");
        group.MapGet("/me", MeAsync).RequireAuthorization().AddEndpointFilter(NectrUserEndpoints.Require(TypedResults.Unauthorized));
        group.MapGet("/csrf", Csrf).RequireAuthorization();
        group.MapPost("/logout", LogoutAsync).RequireAuthorization();
        group.MapOAuth();
        return app;
    }

    private static async Task<Results<Ok<MeResponse>, UnauthorizedHttpResult>> MeAsync(NectrUser me, IDbContextFactory<NectrDb> dbs, CancellationToken cancellationToken)
    {
        var id = me.Id;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == id, cancellationToken);
        return user is null
            ? TypedResults.Unauthorized()
            : TypedResults.Ok(new MeResponse(user.Id, user.GitHubId, user.Login, user.Name, user.AvatarUrl));
    }

    /// <summary>The token a script sends back in <c>X-CSRF-TOKEN</c> with POST and DELETE requests.</summary>
    private static Ok<CsrfResponse> Csrf(HttpContext context, IAntiforgery antiforgery) =>
        TypedResults.Ok(new CsrfResponse(antiforgery.GetAndStoreTokens(context).RequestToken!, AuthExtensions.AntiforgeryHeader));

    private static async Task<Results<NoContent, RedirectHttpResult, ProblemHttpResult>> LogoutAsync(HttpContext context, IAntiforgery antiforgery)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        // The dashboard's Sign out button is a plain form: send the browser to the sign-in page, not to a blank 204.
        return context.Request.HasFormContentType ? TypedResults.LocalRedirect("/signin") : TypedResults.NoContent();
    }
}

internal sealed record MeResponse(long Id, long GithubId, string Login, string? Name, string? AvatarUrl);

internal sealed record CsrfResponse(string Token, string HeaderName);

/// <summary>The one answer to a state-changing request without a valid antiforgery token: nothing was changed.</summary>
internal static class Antiforgery
{
    public static ProblemHttpResult Rejected() => TypedResults.Problem(
        title: "Missing or invalid antiforgery token",
        detail: $"State-changing requests need the token from GET /auth/csrf in the {AuthExtensions.AntiforgeryHeader} header (or the form field the dashboard adds). Nothing was changed.",
        statusCode: StatusCodes.Status400BadRequest);
}
