namespace Nectr.Deployment;

/// <summary>
/// HEAD is answered wherever GET is: RFC 9110 (§9.1) asks it of every general-purpose server, and uptime monitors and
/// load balancers probe <c>/health</c> with HEAD. Endpoints are mapped for GET only, so a HEAD is routed as the GET
/// it mirrors; Kestrel still knows the request line said HEAD, so it sends the GET's status and headers without the
/// body. Must run before routing.
/// </summary>
internal static class HeadRequests
{
    public static IApplicationBuilder UseHeadAsGet(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (HttpMethods.IsHead(context.Request.Method))
            {
                context.Request.Method = HttpMethods.Get;
            }

            return next(context);
        });
}
