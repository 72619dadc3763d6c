using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

public sealed partial class FakeGitHub
{
    /// <summary>GitHub's message for its secondary rate limit, which can come as a 403 with no rate-limit header at all.</summary>
    public const string SecondaryLimitMessage =
        """{"message":"You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID.","documentation_url":"https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits"}""";

    /// <summary>A proxy in front of GitHub that gave up: what GitHub's load balancers answer in a bad minute.</summary>
    public const string BadGatewayPage = "<html><body><h1>502 Bad Gateway</h1></body></html>";

    /// <summary>
    /// The next <paramref name="count"/> requests that <paramref name="match"/> are answered with <paramref name="status"/>
    /// and <paramref name="body"/>, with no rate-limit or retry-after header; later ones reach the normal routes.
    /// </summary>
    public void FailNext(Func<RecordedRequest, bool> match, int count, int status, string body)
    {
        var left = count;
        AddRoute(r => match(r) && Interlocked.Decrement(ref left) >= 0, async (context, request) =>
        {
            foreach (var header in context.Response.Headers.Keys.Where(k => k.StartsWith("x-ratelimit-", StringComparison.OrdinalIgnoreCase)).ToList())
            {
                context.Response.Headers.Remove(header);
            }

            context.Response.StatusCode = status;
            request.Status = status;
            context.Response.ContentType = body.StartsWith('{') ? "application/json; charset=utf-8" : "text/html";
            await context.Response.WriteAsync(body);
        });
    }

    /// <summary>The next <paramref name="count"/> requests that <paramref name="match"/> lose their connection before any answer.</summary>
    public void DropNext(Func<RecordedRequest, bool> match, int count)
    {
        var left = count;
        AddRoute(r => match(r) && Interlocked.Decrement(ref left) >= 0, (context, request) =>
        {
            request.Status = 0;
            context.Abort();
            return Task.CompletedTask;
        });
    }

    /// <summary>Requests whose path ends with <paramref name="suffix"/> (the query left out).</summary>
    public static Func<RecordedRequest, bool> PathEndsWith(string method, string suffix) =>
        r => r.Method == method && r.Path.EndsWith(suffix, StringComparison.Ordinal);
}
