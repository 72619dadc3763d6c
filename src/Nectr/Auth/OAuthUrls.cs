using Nectr.Configuration;

namespace Nectr.Auth;

internal static class OAuthUrls
{
    public const string CallbackPath = "auth/github/callback";

    /// <summary>
    /// The Authorization callback URL to register on the OAuth App: under <c>BACKEND_URL</c> (required in production),
    /// else under the address this request came to, so a developer's localhost works without settings.
    /// </summary>
    public static string Callback(HostingOptions options, HttpRequest request) => options.BackendUrl is { } backend
        ? new Uri(backend, CallbackPath).ToString()
        : $"{request.Scheme}://{request.Host}{request.PathBase}/{CallbackPath}";

    /// <summary>
    /// Where to go after signing in: a local path of this site, or <c>/</c>. Absolute URLs, scheme-relative
    /// <c>//host</c>, <c>/\host</c> (browsers read it as <c>//host</c>) and control characters are refused.
    /// </summary>
    public static string LocalOrRoot(string? returnUrl)
    {
        if (string.IsNullOrEmpty(returnUrl) || returnUrl[0] != '/' || returnUrl.Length > 2048)
        {
            return "/";
        }

        if (returnUrl.Length > 1 && returnUrl[1] is '/' or '\\')
        {
            return "/";
        }

        return returnUrl.Any(c => char.IsControl(c) || c == '\\') ? "/" : returnUrl;
    }
}
