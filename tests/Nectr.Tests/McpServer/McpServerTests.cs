using Microsoft.Extensions.Logging;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.ApiTokens;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.McpServer;

/// <summary>Nectr's MCP server through the official TypeScript SDK client and raw HTTP, on both storage providers.</summary>
public sealed class McpServerTests
{
    private static readonly string[] ExpectedTools =
        ["get_contributor_stats", "get_file_experts", "get_pr_verdict", "get_recent_reviews", "get_repo_health", "search_reviews"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static object[] EveryTool(string repo, int number, string file) =>
    [
        new { name = "get_recent_reviews", arguments = new { repo, limit = 5 } },
        new { name = "get_recent_reviews", arguments = new { limit = 50 } },
        new { name = "get_pr_verdict", arguments = new { repo, number } },
        new { name = "search_reviews", arguments = new { query = "e" } },
        new { name = "search_reviews", arguments = new { query = "e", repo } },
        new { name = "get_file_experts", arguments = new { repo, path = file } },
        new { name = "get_contributor_stats", arguments = new { repo, days = 30 } },
        new { name = "get_repo_health", arguments = new { repo } },
    ];

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_TypeScript_SDK_client_lists_and_calls_every_tool_and_reads_the_resources_over_both_transports(string provider)
    {
        await using var site = await McpSite.StartAsync(provider);
        var plan = new
        {
            calls = EveryTool(DashboardSeed.Connected, 42, McpSite.ExpertFile)
                .Append(new { name = "get_recent_reviews", arguments = new { limit = 0 } })
                .Append(new { name = "get_pr_verdict", arguments = new { repo = "not a repo", number = 1 } }).ToArray(),
            resources = new[] { $"nectr://repos/{DashboardSeed.Connected}/reviews", $"nectr://reviews/{site.Seed.ReviewId}" },
        };

        foreach (var transport in new[] { "streamable", "sse" })
        {
            var report = await site.ClientCheckAsync(transport, site.MonaToken, plan);

            Assert.Equal("nectr", report.GetProperty("server").GetProperty("name").GetString());
            Assert.Equal(ExpectedTools, report.GetProperty("tools").EnumerateArray().Select(t => t.GetProperty("name").GetString()!).Order(StringComparer.Ordinal));
            Assert.All(report.GetProperty("tools").EnumerateArray(), t => Assert.True(t.GetProperty("hasOutputSchema").GetBoolean()));
            Assert.Equal(["nectr://repos/{owner}/{repo}/reviews", "nectr://reviews/{id}"],
                report.GetProperty("templates").EnumerateArray().Select(t => t.GetString()!).Order(StringComparer.Ordinal));
            var calls = report.GetProperty("calls").EnumerateArray().ToList();
            foreach (var call in calls.Take(8))
            {
                Assert.False(call.GetProperty("isError").GetBoolean(), $"{transport} {call}");
                Assert.Equal(JsonValueKind.Object, call.GetProperty("structured").ValueKind);
            }

            var recent = calls[0].GetProperty("structured");
            Assert.Equal([42, 41], recent.GetProperty("reviews").EnumerateArray().Select(r => r.GetProperty("pull_number").GetInt32()));
            var verdict = calls[2].GetProperty("structured");
            Assert.Equal("request_changes", verdict.GetProperty("verdict").GetString());
            Assert.Equal(1, verdict.GetProperty("findings_by_severity").GetProperty("high").GetInt32());
            Assert.Equal(1, verdict.GetProperty("findings_by_severity").GetProperty("low").GetInt32());
            var experts = calls[5].GetProperty("structured");
            Assert.Equal("octocat", experts.GetProperty("experts")[0].GetProperty("login").GetString());
            Assert.True(calls[8].GetProperty("isError").GetBoolean());
            Assert.Contains("limit must be from 1 to 50", calls[8].GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.True(calls[9].GetProperty("isError").GetBoolean());
            Assert.Contains("is not a repository name", calls[9].GetProperty("text").GetString(), StringComparison.Ordinal);
            var resources = report.GetProperty("resources").EnumerateArray().ToList();
            Assert.Contains("\"pull_number\":42", resources[0].GetProperty("text").GetString(), StringComparison.Ordinal);
            Assert.Contains("SQL built from request input", resources[1].GetProperty("text").GetString(), StringComparison.Ordinal);
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task User_As_token_never_returns_user_Bs_repository_in_any_tool_or_resource(string provider)
    {
        await using var site = await McpSite.StartAsync(provider);
        var asked = new
        {
            calls = EveryTool(DashboardSeed.Hidden, 7, McpSite.BobsFile)
                .Append(new { name = "search_reviews", arguments = new { query = "Hidden review body" } }).ToArray(),
            resources = new[] { $"nectr://repos/{DashboardSeed.Hidden}/reviews", $"nectr://reviews/{site.Seed.HiddenReviewId}" },
        };

        var mona = await site.ClientCheckAsync("streamable", site.MonaToken, asked);
        var bob = await site.ClientCheckAsync("streamable", site.BobToken, asked);

        var monaCalls = mona.GetProperty("calls").EnumerateArray().ToList();
        // Unscoped calls succeed but list nothing of B's; calls naming B's repository are refused like a missing one.
        Assert.All(monaCalls.Where((_, i) => i is 1 or 3 or 8), c => Assert.False(c.GetProperty("isError").GetBoolean()));
        Assert.All(monaCalls.Where((_, i) => i is not (1 or 3 or 8)), c =>
            Assert.Contains("not among the repositories you can see", c.GetProperty("text").GetString(), StringComparison.Ordinal));
        Assert.All(mona.GetProperty("resources").EnumerateArray(), r => Assert.True(r.TryGetProperty("error", out _)));
        var monaText = mona.ToString();
        Assert.DoesNotContain("secret-repo", monaText.Replace($"\"{DashboardSeed.Hidden}", "", StringComparison.Ordinal)
            .Replace($"nectr://repos/{DashboardSeed.Hidden}", "", StringComparison.Ordinal)
            .Replace($"{DashboardSeed.Hidden} is not among", "", StringComparison.Ordinal), StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden review body", string.Join("\n", monaCalls.Select(c => c.GetProperty("structured").ToString())), StringComparison.Ordinal);
        Assert.DoesNotContain("secret-author", monaText, StringComparison.Ordinal);

        // The same questions with B's token do reach B's repository: the refusals above are scoping, not breakage.
        var bobCalls = bob.GetProperty("calls").EnumerateArray().ToList();
        Assert.All(bobCalls, c => Assert.False(c.GetProperty("isError").GetBoolean(), c.ToString()));
        Assert.Contains("secret-author", bobCalls[5].ToString(), StringComparison.Ordinal);
        Assert.Contains("Hidden review body", bob.GetProperty("resources")[1].GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task No_token_a_bad_token_a_revoked_token_and_a_session_cookie_get_401_with_WWW_Authenticate(string provider)
    {
        await using var site = await McpSite.StartAsync(provider);
        using var http = site.Client();

        foreach (var (method, path) in new[] { (HttpMethod.Post, "/mcp"), (HttpMethod.Get, "/mcp/sse"), (HttpMethod.Post, "/mcp/messages?sessionId=x") })
        {
            using var none = await http.SendAsync(Request(method, path, null), Ct);
            Assert.Equal(HttpStatusCode.Unauthorized, none.StatusCode);
            Assert.Equal("Bearer", none.Headers.WwwAuthenticate.Single().Scheme);
        }

        using var forged = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken[..^2] + "xx"), Ct);
        using var wellFormedUnknown = await http.SendAsync(Request(HttpMethod.Post, "/mcp", "nectr_0123456789abcdef_secret"), Ct);
        using var before = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
        await site.App.Services.GetRequiredService<ApiTokenStore>().RevokeAsync(site.Seed.User.Id, site.MonaTokenId, Ct);
        using var revoked = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
        var (session, _) = await site.App.SignedInClientAsync(DashboardSeed.Login, DashboardSeed.GitHubId);
        // Over plain HTTP the session cookie travels without its __Host- prefix (Auth/PlainHttpCookies).
        var sessionCookie = session.DefaultRequestHeaders.GetValues("Cookie").Single().Replace("__Host-", "", StringComparison.Ordinal);
        session.Dispose();
        using var signedIn = Request(HttpMethod.Post, "/mcp", null);
        signedIn.Headers.Add("Cookie", sessionCookie);
        using var me = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        me.Headers.Add("Cookie", sessionCookie);
        using var cookie = await http.SendAsync(signedIn, Ct);
        using var cookieElsewhere = await http.SendAsync(me, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, forged.StatusCode);
        Assert.Contains("invalid_token", forged.Headers.WwwAuthenticate.ToString(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wellFormedUnknown.StatusCode);
        Assert.Equal(HttpStatusCode.OK, before.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, revoked.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, cookie.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cookieElsewhere.StatusCode); // the same session is good elsewhere: /mcp refuses it
    }

    [Fact]
    public async Task A_foreign_browser_origin_gets_403_while_no_origin_and_this_sites_origin_pass()
    {
        await using var site = await McpSite.StartAsync("sqlite");
        using var http = site.Client();

        using var evil = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken, "http://evil.example"), Ct);
        using var evilSse = await http.SendAsync(Request(HttpMethod.Get, "/mcp/sse", site.MonaToken, "http://evil.example"), Ct);
        using var nullOrigin = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken, "null"), Ct);
        using var rebound = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken, $"http://evil.example:{site.Address.Port}", host: $"evil.example:{site.Address.Port}"), Ct);
        using var cli = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
        using var self = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken, site.Address.GetLeftPart(UriPartial.Authority)), Ct);

        Assert.Equal(HttpStatusCode.Forbidden, evil.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, evilSse.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, nullOrigin.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, rebound.StatusCode);
        Assert.Equal(HttpStatusCode.OK, cli.StatusCode);
        Assert.Equal(HttpStatusCode.OK, self.StatusCode);
    }

    [Fact]
    public async Task One_token_holds_at_most_ten_open_sse_sessions_and_a_closed_one_frees_its_place()
    {
        await using var site = await McpSite.StartAsync("sqlite");
        using var http = site.Client();
        http.Timeout = Timeout.InfiniteTimeSpan;
        var open = new List<HttpResponseMessage>();
        try
        {
            for (var i = 0; i < Nectr.McpServer.LegacySseTransport.MaxSessionsPerToken; i++)
            {
                var stream = await http.SendAsync(Request(HttpMethod.Get, "/mcp/sse", site.MonaToken), HttpCompletionOption.ResponseHeadersRead, Ct);
                Assert.Equal(HttpStatusCode.OK, stream.StatusCode);
                open.Add(stream);
            }

            using var refused = await http.SendAsync(Request(HttpMethod.Get, "/mcp/sse", site.MonaToken), HttpCompletionOption.ResponseHeadersRead, Ct);
            using var others = await http.SendAsync(Request(HttpMethod.Get, "/mcp/sse", site.BobToken), HttpCompletionOption.ResponseHeadersRead, Ct);

            Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
            Assert.Contains("already holds 10 open SSE sessions", await refused.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, others.StatusCode);

            // Closing one stream ends its session on the server, and its place can be taken again.
            open[0].Dispose();
            open.RemoveAt(0);
            HttpStatusCode again;
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            do
            {
                await Task.Delay(100, Ct);
                var stream = await http.SendAsync(Request(HttpMethod.Get, "/mcp/sse", site.MonaToken), HttpCompletionOption.ResponseHeadersRead, Ct);
                again = stream.StatusCode;
                open.Add(stream);
            }
            while (again != HttpStatusCode.OK && DateTime.UtcNow < deadline);

            Assert.Equal(HttpStatusCode.OK, again);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task Each_token_has_its_own_rate_limit_and_past_it_gets_429_with_Retry_After()
    {
        await using var site = await McpSite.StartAsync("sqlite", new Dictionary<string, string?> { ["MCP_RATE_LIMIT_PER_MINUTE"] = "2" });
        using var http = site.Client();

        var mona = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
            mona.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, response.Headers.ToString());
            }
        }

        using var bob = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.BobToken), Ct);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK, HttpStatusCode.TooManyRequests], mona);
        Assert.Equal(HttpStatusCode.OK, bob.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_token_is_stored_only_as_the_SHA_256_of_the_whole_token_and_its_use_is_recorded_at_most_once_a_minute(string provider)
    {
        await using var site = await McpSite.StartAsync(provider);
        using var http = site.Client();
        using var first = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
        var usedFirst = await site.App.QueryAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == site.MonaTokenId, Ct));
        using var second = await http.SendAsync(Request(HttpMethod.Post, "/mcp", site.MonaToken), Ct);
        var row = await site.App.QueryAsync(db => db.ApiTokens.AsNoTracking().SingleAsync(t => t.Id == site.MonaTokenId, Ct));

        var secret = site.MonaToken[(site.MonaToken.LastIndexOf('_') + 1)..];
        var stored = JsonSerializer.Serialize(row);
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Encoding.UTF8.GetBytes(secret)), stored, StringComparison.Ordinal);
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(site.MonaToken)), row.SecretHash);
        Assert.StartsWith("nectr_" + row.PublicId + "_", site.MonaToken, StringComparison.Ordinal);
        Assert.NotNull(usedFirst.LastUsedAt);
        Assert.Equal(usedFirst.LastUsedAt, row.LastUsedAt);
    }

    [Theory]
    [InlineData("""{"name":"get_recent_reviews","arguments":{"limit":"twenty"}}""", "An argument has the wrong type: see the tool's input schema (tools/list).")]
    [InlineData("""{"name":"get_pr_verdict","arguments":{"repo":"octo\u0000org/api","number":1}}""", "'octo\\u0000org/api' is not a repository name: use owner/name, e.g. octo-org/api.")]
    [InlineData("""{"name":"get_pr_verdict","arguments":{"repo":"someone/else","number":1}}""", "someone/else is not among the repositories you can see in Nectr.")]
    // PostgreSQL refuses a NUL in a text parameter, so free text must be checked before it reaches a query.
    [InlineData("""{"name":"search_reviews","arguments":{"query":"fix\u0000"}}""", "query may not contain control characters (such as NUL); tabs and line breaks are allowed.", "postgres")]
    [InlineData("""{"name":"get_file_experts","arguments":{"repo":"acme/api","path":"src/\u0000.py"}}""", "path must be a file path in the repository, 1 to 1,000 characters with no control characters.", "postgres")]
    public async Task A_callers_bad_argument_is_a_tool_error_saying_what_to_fix_and_one_log_line_without_a_stack_trace(string call, string expected, string provider = "sqlite")
    {
        var logs = new Nectr.Tests.Webhooks.LogCollector();
        await using var site = await McpSite.StartAsync(provider, new Dictionary<string, string?> { ["LOG_LEVEL"] = "Information" }, logs);
        using var http = site.Client();
        using var request = Request(HttpMethod.Post, "/mcp", site.MonaToken);
        request.Content = new StringContent($$"""{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{{call}}}""", Encoding.UTF8, "application/json");
        logs.Mark();

        using var response = await http.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync(Ct);
        var data = body.Split('\n').Single(l => l.StartsWith("data: ", StringComparison.Ordinal))["data: ".Length..];
        var result = JsonDocument.Parse(data).RootElement.GetProperty("result");
        Assert.True(result.GetProperty("isError").GetBoolean());
        Assert.Equal(expected, result.GetProperty("content")[0].GetProperty("text").GetString());
        var line = Assert.Single(logs.SinceMark, e => e.Category.StartsWith("Nectr.McpServer", StringComparison.Ordinal) || (e.Category.StartsWith("ModelContextProtocol", StringComparison.Ordinal) && e.Level >= LogLevel.Warning));
        Assert.Equal(LogLevel.Information, line.Level);
        Assert.Null(line.Error);
        Assert.DoesNotContain('\0', line.Message);
    }

    /// <summary>A JSON-RPC initialize as a Streamable HTTP client sends it (GET for the SSE stream).</summary>
    private static HttpRequestMessage Request(HttpMethod method, string path, string? token, string? origin = null, string? host = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (method == HttpMethod.Post)
        {
            request.Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""",
                Encoding.UTF8, "application/json");
        }

        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (origin is not null)
        {
            request.Headers.Add("Origin", origin);
        }

        if (host is not null)
        {
            request.Headers.Host = host;
        }

        return request;
    }
}
