using Microsoft.AspNetCore.Diagnostics;

namespace Nectr.Deployment;

/// <summary>
/// A request body the framework cannot read is the client's mistake, answered <c>400</c> (or the status Kestrel
/// chose, 413 for one too large), not a <c>500</c> with an error in the log: a form value with a NUL (<c>%00</c>)
/// makes ASP.NET's form reader throw from wherever the form is first read (antiforgery, a Blazor page's form
/// handling, a dashboard button), and none of those is the place to catch it.
/// </summary>
internal sealed partial class UnreadableRequestBodies(IProblemDetailsService problems, ILogger<UnreadableRequestBodies> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            InvalidDataException => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status is < 400 or >= 500 || context.Response.HasStarted)
        {
            return false;
        }

        Log.Refused(logger, context.Request.Method, context.Request.Path.Value ?? "/", status, exception.Message);
        context.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Title = "Request body not readable", Detail = exception.Message },
        });
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Refused {Method} {Path} with {Status}: its body could not be read ({Reason})")]
        public static partial void Refused(ILogger logger, string method, string path, int status, string reason);
    }
}
