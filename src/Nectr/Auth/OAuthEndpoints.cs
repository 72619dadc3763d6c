using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Auth;

/// <summary>
/// Sign in with GitHub: <c>GET /auth/github</c> sends the browser to GitHub with a state bound to it and a PKCE
/// challenge; <c>GET /auth/github/callback</c> checks both before any token is asked for.
/// </summary>
internal static class OAuthEndpoints
{
    public static RouteGroupBuilder MapOAuth(this RouteGroupBuilder auth)
    {
        auth.MapGet("/github", Start);
        auth.MapGet("/github/callback", CallbackAsync);
        return auth;
    }

    private static Results<RedirectHttpResult, ProblemHttpResult> Start(HttpContext context, IOptions<AuthOptions> authOptions, IOptions<GitHubOptions> gitHub, IOptions<HostingOptions> hosting, OAuthState states, string? returnUrl)
    {
        var callback = OAuthUrls.Callback(hosting.Value, context.Request);
        if (!authOptions.Value.OAuthConfigured)
        {
            return OAuthProblems.NotConfigured(callback);
        }

        var pending = states.Begin(context, OAuthUrls.LocalOrRoot(returnUrl));
        var authorize = QueryHelpers.AddQueryString(new Uri(gitHub.Value.WebUrl, "login/oauth/authorize").ToString(), new Dictionary<string, string?>
        {
            ["client_id"] = authOptions.Value.ClientId,
            ["redirect_uri"] = callback,
            ["scope"] = authOptions.Value.Scopes,
            ["state"] = pending.State,
            ["code_challenge"] = OAuthState.Challenge(pending.Verifier),
            ["code_challenge_method"] = "S256",
            ["allow_signup"] = "false",
        });
        return TypedResults.Redirect(authorize);
    }

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> CallbackAsync(
        HttpContext context,
        IOptions<AuthOptions> authOptions,
        IOptions<GitHubOptions> gitHub,
        IOptions<HostingOptions> hosting,
        OAuthState states,
        OAuthSignIn signIn,
        string? code,
        string? state,
        string? error,
        [FromQuery(Name = "error_description")] string? errorDescription,
        CancellationToken cancellationToken)
    {
        var callback = OAuthUrls.Callback(hosting.Value, context.Request);
        if (!authOptions.Value.OAuthConfigured)
        {
            return OAuthProblems.NotConfigured(callback);
        }

        // The attempt is over whatever the answer: the cookie goes, and the state can never be used again.
        var (check, pending) = states.Complete(context, state);
        if (error is not null)
        {
            return OAuthProblems.GitHubRefused(error, errorDescription, callback);
        }

        if (check != StateCheck.Valid || pending is null)
        {
            return OAuthProblems.BadState(check);
        }

        if (string.IsNullOrEmpty(code))
        {
            return OAuthProblems.MissingCode();
        }

        SignInOutcome outcome;
        try
        {
            outcome = await signIn.CompleteAsync(code, callback, pending.Verifier, cancellationToken);
        }
        catch (Exception ex) when (ex is GitHubApiException or HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return OAuthProblems.GitHubUnavailable(gitHub.Value);
        }

        switch (outcome)
        {
            case SignInOutcome.SignedIn signedIn:
                await NectrClaims.SignInAsync(context, signedIn.User);
                return TypedResults.Redirect(pending.ReturnUrl);
            case SignInOutcome.NotAllowed notAllowed:
                return OAuthProblems.NotAllowed(notAllowed);
            case SignInOutcome.ExchangeRefused refused:
                return OAuthProblems.GitHubRefused(refused.Error, refused.Description, callback);
            default:
                throw new InvalidOperationException($"Unknown sign-in outcome {outcome}.");
        }
    }
}
