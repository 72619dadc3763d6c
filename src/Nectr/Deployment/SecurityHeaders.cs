using Microsoft.Net.Http.Headers;

namespace Nectr.Deployment;

/// <summary>
/// Headers every answer gets: <c>X-Content-Type-Options: nosniff</c> (no browser guesses HTML into a JSON body),
/// <c>Cache-Control: no-store</c> on JSON (API answers are per-user data, never for a shared cache) and HSTS when
/// the request came over HTTPS, directly or through a trusted proxy.
/// </summary>
internal static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app)
    {
        app.UseHsts();
        return app.Use((context, next) =>
        {
            // Set when the headers go out, so answers written by the exception handler or status-code pages get them too.
            context.Response.OnStarting(static state =>
            {
                var response = (HttpResponse)state;
                response.Headers.XContentTypeOptions = "nosniff";
                if (IsJson(response.ContentType) && string.IsNullOrEmpty(response.Headers.CacheControl))
                {
                    response.Headers.CacheControl = "no-store";
                }

                return Task.CompletedTask;
            }, context.Response);
            return next(context);
        });
    }

    /// <summary><c>application/json</c> and every <c>+json</c> type (<c>application/problem+json</c>).</summary>
    internal static bool IsJson(string? contentType) =>
        MediaTypeHeaderValue.TryParse(contentType, out var type)
        && type.MediaType.Value is { } media
        && (media.Equals("application/json", StringComparison.OrdinalIgnoreCase) || media.EndsWith("+json", StringComparison.OrdinalIgnoreCase));
}
