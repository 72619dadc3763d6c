using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.McpServer;

/// <summary>
/// DNS-rebinding defence for <c>/mcp</c>: a request that carries a browser <c>Origin</c> must come from this site (the
/// origin of BACKEND_URL; without one, a loopback origin naming this very host, as in local development). The request's
/// own Host is not enough: after a rebinding, the attacker's page and its Host name the attacker's domain alike.
/// Requests without Origin (CLI and desktop clients) pass; the bearer token still guards them.
/// </summary>
internal sealed partial class McpOriginGuard(IOptions<HostingOptions> hosting, ILogger<McpOriginGuard> logger)
{
    public bool Allows(HttpRequest request)
    {
        var origin = request.Headers.Origin.ToString();
        if (origin.Length == 0)
        {
            return true;
        }

        if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.AbsolutePath != "/")
        {
            return Refused(origin);
        }

        if (hosting.Value.BackendUrl is { } site)
        {
            return SameOrigin(uri, site) || Refused(origin);
        }

        var self = new Uri($"{request.Scheme}://{request.Host.Value}/");
        return (uri.IsLoopback && SameOrigin(uri, self)) || Refused(origin);
    }

    private static bool SameOrigin(Uri a, Uri b) =>
        string.Equals(a.Scheme, b.Scheme, StringComparison.OrdinalIgnoreCase)
        && string.Equals(a.IdnHost, b.IdnHost, StringComparison.OrdinalIgnoreCase)
        && a.Port == b.Port;

    private bool Refused(string origin)
    {
        Log.OriginRefused(logger, origin.Length <= 200 ? origin : origin[..200]);
        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Refused an MCP request from the browser origin {Origin}: not this site")]
        public static partial void OriginRefused(ILogger logger, string origin);
    }
}
