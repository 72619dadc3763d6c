using Nectr.Configuration;

namespace Nectr.Auth;

/// <summary>
/// What <c>/health/ready</c> says about signing in, each warning with its fix. A warning may name the callback URL,
/// which outside production follows the address the request came to, so each is text for a request.
/// </summary>
internal static class AuthHealth
{
    public static IEnumerable<Func<HttpRequest, string>> Warnings(AuthOptions auth, HostingOptions hosting)
    {
        if (!auth.OAuthConfigured)
        {
            yield return request => OAuthProblems.NotConfiguredText(OAuthUrls.Callback(hosting, request));
        }

        if (auth.AllowsEveryone)
        {
            yield return _ => "AUTH_ALLOWED_USERS and AUTH_ALLOWED_ORGS are empty: any GitHub user can sign in. Set AUTH_ALLOWED_USERS=login,… and/or AUTH_ALLOWED_ORGS=org,… (production refuses to start without one).";
        }
    }
}
