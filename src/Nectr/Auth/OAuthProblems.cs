using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Configuration;

namespace Nectr.Auth;

/// <summary>Every way a sign-in can fail, as problem details that say what happened and what fixes it.</summary>
internal static class OAuthProblems
{
    /// <summary>The same sentence <c>/auth/github</c> answers and <c>/health/ready</c> warns with.</summary>
    public static string NotConfiguredText(string callback) =>
        "Sign in with GitHub is off: GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are not set. Register an OAuth App " +
        "(GitHub → Settings → Developer settings → OAuth Apps → New OAuth App) with the Authorization callback URL " +
        $"{callback}, then set both variables to its Client ID and a client secret and restart Nectr.";

    public static ProblemHttpResult NotConfigured(string callback) => TypedResults.Problem(
        title: "Sign in with GitHub is not configured",
        detail: NotConfiguredText(callback),
        statusCode: StatusCodes.Status503ServiceUnavailable,
        extensions: new Dictionary<string, object?> { ["callback_url"] = callback });

    public static ProblemHttpResult BadState(StateCheck check) => Problem(
        StatusCodes.Status400BadRequest,
        "Sign-in could not be verified",
        check switch
        {
            StateCheck.NoCookie => "This browser did not start this sign-in (its sign-in cookie is missing or unreadable). Nothing was sent to GitHub. Start again at /auth/github, with cookies allowed for this site.",
            StateCheck.Missing => "GitHub's answer carries no state parameter. Nothing was sent to GitHub. Start again at /auth/github.",
            StateCheck.Mismatch => "The state in GitHub's answer does not belong to the sign-in this browser started. Nothing was sent to GitHub. Start again at /auth/github.",
            StateCheck.Expired => $"This sign-in was started more than {OAuthState.Lifetime.TotalMinutes:0} minutes ago and has expired. Start again at /auth/github.",
            StateCheck.Reused => "This sign-in link was already used; each one works once. Start again at /auth/github.",
            _ => "Start again at /auth/github.",
        },
        check.ToString().ToLowerInvariant());

    public static ProblemHttpResult MissingCode() => Problem(
        StatusCodes.Status400BadRequest, "Sign-in could not be completed", "GitHub's answer carries no code. Start again at /auth/github.", "missing_code");

    /// <summary>GitHub refused at the authorize step (<c>?error=</c>) or at the token exchange.</summary>
    public static ProblemHttpResult GitHubRefused(string error, string? description, string callback) => Problem(
        StatusCodes.Status400BadRequest,
        error == "access_denied" ? "Sign-in was cancelled on GitHub" : "GitHub refused the sign-in",
        error switch
        {
            "access_denied" => "GitHub reports that access was denied: the authorization was cancelled, or an organisation policy blocked this app. Nothing was stored. To try again, open /auth/github and choose Authorize.",
            "redirect_uri_mismatch" => $"GitHub refused the callback URL {callback}: it must match the OAuth App's Authorization callback URL exactly. Set that URL on the OAuth App (GitHub → Settings → Developer settings → OAuth Apps), or set BACKEND_URL to the public address the App is registered for.",
            "incorrect_client_credentials" => "GitHub refused Nectr's client credentials: check that GITHUB_CLIENT_ID and GITHUB_CLIENT_SECRET are the Client ID and a current client secret of the same OAuth App (on GitHub Enterprise Server, also GITHUB_WEB_URL).",
            "bad_verification_code" => "GitHub says the sign-in code is invalid or has expired (codes work once, for 10 minutes). Start again at /auth/github.",
            "application_suspended" => "GitHub has suspended this OAuth App; its owner must restore it on GitHub.",
            _ => $"GitHub answered '{error}'{(description is null ? "" : $" ({description})")}. Start again at /auth/github.",
        },
        error);

    public static ProblemHttpResult NotAllowed(SignInOutcome.NotAllowed refused) => Problem(
        StatusCodes.Status403Forbidden,
        "This GitHub account may not use this Nectr",
        $"GitHub user {refused.Login} is not on this instance's allow-list. Ask its operator to add you to AUTH_ALLOWED_USERS, " +
        "or to make you a member of an organisation in AUTH_ALLOWED_ORGS." + refused.Reason switch
        {
            AllowListResult.InvitationPending => " You have a pending invitation to an allowed organisation: accept it on GitHub, then sign in again.",
            AllowListResult.OrgRestricted => " An allowed organisation did not let Nectr read your membership: an owner may need to approve this OAuth App (organisation settings → Third-party access), or grant it when you authorize.",
            _ => "",
        } + " No session was created and no token was stored.",
        "not_allowed");

    public static ProblemHttpResult GitHubUnavailable(GitHubOptions options) => Problem(
        StatusCodes.Status502BadGateway,
        "GitHub did not answer the sign-in",
        $"Nectr could not complete the sign-in with GitHub ({options.WebUrl} / {options.ApiUrl}). Try again in a moment; if it persists, check GITHUB_WEB_URL and GITHUB_API_URL and that this server can reach them.",
        "github_unavailable");

    private static ProblemHttpResult Problem(int status, string title, string detail, string reason) => TypedResults.Problem(
        title: title, detail: detail, statusCode: status, extensions: new Dictionary<string, object?> { ["reason"] = reason });
}
