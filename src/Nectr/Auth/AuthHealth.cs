using Nectr.Configuration;

namespace Nectr.Auth;

/// <summary>What <c>/health/ready</c> says about signing in, each warning with its fix.</summary>
internal static class AuthHealth
{
    public static IEnumerable<string> Warnings(AuthOptions auth, HostingOptions hosting, KeyRingHealth keyRing, HttpRequest request)
    {
        if (!auth.OAuthConfigured)
        {
            yield return OAuthProblems.NotConfiguredText(OAuthUrls.Callback(hosting, request));
        }

        if (auth.AllowsEveryone)
        {
            yield return "AUTH_ALLOWED_USERS and AUTH_ALLOWED_ORGS are empty: any GitHub user can sign in. Set AUTH_ALLOWED_USERS=login,… and/or AUTH_ALLOWED_ORGS=org,… (production refuses to start without one).";
        }

        if (keyRing.Warning is { } problem)
        {
            yield return problem;
        }
    }
}
