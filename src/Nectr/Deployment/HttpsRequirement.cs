using System.Net;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Deployment;

/// <summary>
/// In production, browser and API requests must arrive over HTTPS, directly or through a proxy listed in
/// <c>FORWARDED_ALLOW_IPS</c>: sessions and antiforgery use <c>__Host-</c>, Secure cookies there, and a sign-in over
/// plain HTTP would leak them. Instead of a broken sign-in, such a request gets an answer that names both fixes.
/// Health probes and GitHub's webhook deliveries keep working over plain HTTP: load balancers probe health over http,
/// and a delivery is authenticated by its signature, not by a cookie.
/// </summary>
internal static partial class HttpsRequirement
{
    public const string WebhookPath = "/api/v1/webhooks/github";

    public static IApplicationBuilder UseHttpsInProduction(this IApplicationBuilder app)
    {
        var options = app.ApplicationServices.GetRequiredService<IOptions<HostingOptions>>().Value;
        if (!options.IsProduction)
        {
            return app;
        }

        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(HttpsRequirement).FullName!);
        var refusals = app.ApplicationServices.GetRequiredService<PlainHttpRefusals>();
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (request.IsHttps || request.Path.StartsWithSegments("/health") || request.Path.Equals(WebhookPath, StringComparison.OrdinalIgnoreCase))
            {
                return next(context);
            }

            var peer = context.Connection.RemoteIpAddress;
            // The middleware moved the header to X-Original-Proto only if it believed it; still here means not believed.
            var forwarded = request.Headers.ContainsKey("X-Forwarded-Proto");
            Log.PlainHttp(logger, request.Path.Value ?? "/", peer?.ToString() ?? "unknown", forwarded);
            refusals.Record(peer, forwarded);
            return Refuse(context, options, peer);
        });
    }

    private static Task Refuse(HttpContext context, HostingOptions options, IPAddress? peer)
    {
        var fix = Fix(options, peer);
        if (context.Request.Path.StartsWithSegments("/api") || context.Request.Path.StartsWithSegments("/auth"))
        {
            return TypedResults.Problem(title: Title, detail: fix, statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
        }

        var html = $"""
            <!DOCTYPE html>
            <html lang="en">
            <head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Nectr: {Title}</title></head>
            <body>
            <h1>{Title}</h1>
            <p>{WebUtility.HtmlEncode(fix)}</p>
            </body>
            </html>
            """;
        context.Response.Headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'";
        return TypedResults.Content(html, "text/html; charset=utf-8", statusCode: StatusCodes.Status403Forbidden).ExecuteAsync(context);
    }

    private const string Title = "Nectr must be served over HTTPS";

    private static string Fix(HostingOptions options, IPAddress? peer)
    {
        var from = peer is null ? "" : $" (this request came from {(peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer)})";
        var open = options.BackendUrl is { } url ? $"Open Nectr at {url}. " : "";
        return "This request reached Nectr over plain HTTP, and in production sign-in only works over HTTPS. " + open +
            "If a reverse proxy or load balancer terminates TLS in front of Nectr, make it send X-Forwarded-Proto and set " +
            $"{ForwardedProxies.Variable} to the proxy's address as Nectr sees it{from}; today it trusts {options.ForwardedProxies.Display}.";
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Path} over plain HTTP from {Peer} (X-Forwarded-Proto present: {Forwarded}): serve Nectr over HTTPS or set FORWARDED_ALLOW_IPS to the proxy's address.")]
        public static partial void PlainHttp(ILogger logger, string path, string peer, bool forwarded);
    }
}
