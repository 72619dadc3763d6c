using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

// Every request is checked against GitHub's OpenAPI description before any route sees it (GitHubOpenApi): what
// GitHub would refuse is recorded as unexpected, which fails the test, and answered as GitHub answers it.
public sealed partial class FakeGitHub
{
    /// <summary>
    /// GitHub's OAuth web flow (github.com/login/oauth/authorize and /access_token) is not part of the REST API, so
    /// its description has no operation for it; FakeGitHub.OAuth.cs checks those requests itself.
    /// </summary>
    private const string OAuthWebFlowPrefix = "/login/oauth/";

    /// <summary>True when the request was refused (and answered); false when it may go on to the routes.</summary>
    private async Task<bool> RefusedByOpenApiAsync(HttpContext context, RecordedRequest request)
    {
        // GraphQL is not a REST operation: FakeGitHub.GraphQL.cs checks its queries itself.
        if (request.Path.StartsWith(OAuthWebFlowPrefix, StringComparison.Ordinal) || request.Path == "/graphql")
        {
            return false;
        }

        if (GitHubOpenApi.Check(request.Method, request.Path, context.Request.QueryString.Value ?? "", request.Body) is not { } refusal)
        {
            return false;
        }

        var operation = refusal.Operation is { } op ? $" ({op.Id}: {op.Method} {op.Path})" : "";
        _unexpected.Enqueue($"{request.Method} {request.PathAndQuery} fails GitHub's OpenAPI description{operation}: {string.Join("; ", refusal.Problems)}");
        context.Response.StatusCode = refusal.Status;
        request.Status = refusal.Status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new JsonObject
        {
            ["message"] = refusal.Status switch { 404 => "Not Found", 400 => "Problems parsing JSON", _ => "Invalid request.\n\n" + string.Join("\n", refusal.Problems) },
            ["documentation_url"] = "https://docs.github.com/rest",
            ["status"] = refusal.Status.ToString(CultureInfo.InvariantCulture),
        }.ToJsonString());
        return true;
    }
}
