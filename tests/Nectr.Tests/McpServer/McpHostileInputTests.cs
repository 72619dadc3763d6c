using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Nectr.Tests.McpServer;

/// <summary>
/// Hostile JSON-RPC at <c>/mcp</c> and the legacy <c>/mcp/messages</c>, with a valid token, on PostgreSQL (the stricter
/// database: it refuses a NUL in text): every body gets an answer below 500, and nothing but the protocol errors the
/// SDK answers is logged as an error.
/// </summary>
public sealed class McpHostileInputTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Bodies =
    [
        "", "{}", "[]", "null", "\"text\"", "\0", "{\"jsonrpc\":\"2.0\",", "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"tools/list\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1e400,\"method\":\"tools/list\"}", "{\"jsonrpc\":\"2.0\",\"id\":{\"a\":1},\"method\":\"tools/list\"}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/\\u0000list\"}", "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\"}",
        Call("{\"name\":\"\\u0000\"}"), Call("{\"name\":\"no_such_tool\",\"arguments\":{}}"), Call("{\"name\":\"search_reviews\",\"arguments\":[1,2]}"),
        Call("{\"name\":\"search_reviews\",\"arguments\":{\"query\":\"" + new string('x', 1_000_000) + "\"}}"),
        Call("{\"name\":\"search_reviews\",\"arguments\":{\"query\":\"e\",\"repo\":\"\\u0000/\\u0000\"}}"),
        Call("{\"name\":\"get_recent_reviews\",\"arguments\":{\"limit\":99999999999999999999}}"),
        Call("{\"name\":\"get_pr_verdict\",\"arguments\":{\"repo\":\"acme/api\",\"number\":-1}}"),
        Call("{\"name\":\"get_contributor_stats\",\"arguments\":{\"repo\":\"acme/api\",\"days\":1.5}}"),
        Call("{\"name\":\"get_repo_health\",\"arguments\":{\"repo\":\"" + new string('a', 10_000) + "/x\"}}"),
        Read("nectr://reviews/abc"), Read("nectr://reviews/99999999999999999999"), Read("nectr://reviews/-1"),
        Read("nectr://repos/%00/x/reviews"), Read("nectr://repos/../../reviews"), Read("nectr://repos/acme/api%00/reviews"), Read("file:///etc/passwd"),
        "[" + Call("{\"name\":\"get_recent_reviews\",\"arguments\":{}}") + "," + Call("{\"name\":\"get_recent_reviews\",\"arguments\":{}}") + "]",
        new string('[', 10_000),
    ];

    [Fact]
    public async Task Hostile_json_rpc_gets_an_answer_below_500_and_logs_no_error()
    {
        var logs = new Nectr.Tests.Webhooks.LogCollector();
        await using var site = await McpSite.StartAsync("postgres", logs: logs);
        using var http = site.Client();
        var failures = new List<string>();
        logs.Mark();

        foreach (var body in Bodies)
        {
            foreach (var path in new[] { "/mcp", "/mcp/messages?sessionId=no-such-session" })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", site.MonaToken);
                using var response = await http.SendAsync(request, Ct);
                var text = await response.Content.ReadAsStringAsync(Ct);
                if ((int)response.StatusCode >= 500 || text.Contains("An error occurred invoking", StringComparison.Ordinal))
                {
                    failures.Add($"{path} {Short(body)} → {(int)response.StatusCode}: {Short(text)}");
                }
            }
        }

        // The SDK logs each protocol error it answers (an unknown tool, a resource that is not there) at Error; those are
        // the caller's mistakes answered as the spec says. Anything else at Error is a crash: a database refusing a NUL.
        var errors = logs.SinceMark.Where(e => e.Level >= LogLevel.Error && e.Error is not ModelContextProtocol.McpProtocolException)
            .Select(e => $"{e.Category}: {Short(e.Message)} {e.Error?.GetType().Name}: {e.Error?.Message}");
        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Empty(errors);
    }

    private static string Call(string parameters) => $$"""{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{{parameters}}}""";

    private static string Read(string uri) => "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/read\",\"params\":{\"uri\":\"" + uri + "\"}}";

    private static string Short(string text) => (text.Length > 160 ? text[..160] + "…" : text).Replace("\0", "\\0", StringComparison.Ordinal);
}
