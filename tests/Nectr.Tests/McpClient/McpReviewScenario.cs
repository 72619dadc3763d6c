using System.Net;
using System.Text.RegularExpressions;
using Nectr.Tests.Context;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Infrastructure.FakeMcp;
using Nectr.Tests.Jobs;

namespace Nectr.Tests.McpClient;

/// <summary>
/// The context scenario (real app, fake GitHub, fake model) with the fake Linear, Sentry and Slack MCP servers
/// configured the way an operator does (<c>LINEAR_MCP_URL</c> + <c>LINEAR_API_KEY</c>, …; <c>MCP_ALLOW_PRIVATE</c>
/// because they listen on loopback), and every log line the app writes, at Debug, recorded.
/// </summary>
internal sealed partial class McpReviewScenario : IAsyncDisposable
{
    public static readonly FakeFile Refunds = new(FakeSentry.TouchedFile, "modified",
        "@@ -10,3 +10,5 @@ def refund(order):\n     amount = order.total\n+    if amount > order.captured:\n+        amount = order.captured\n     gateway.refund(order.id, amount)\n     return amount");

    private McpReviewScenario(ContextScenario context, FakeMcpServer linear, FakeMcpServer sentry, FakeMcpServer slack, LogRecorder logs)
    {
        Context = context;
        Linear = linear;
        Sentry = sentry;
        Slack = slack;
        Logs = logs;
    }

    public ContextScenario Context { get; }

    public FakeMcpServer Linear { get; }

    public FakeMcpServer Sentry { get; }

    public FakeMcpServer Slack { get; }

    public LogRecorder Logs { get; }

    public FakeMcpServer[] Servers => [Linear, Sentry, Slack];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<McpReviewScenario> StartAsync(string provider, params (string Key, string Value)[] settings)
    {
        var linear = await FakeLinear.StartAsync();
        var sentry = await FakeSentry.StartAsync();
        var slack = await FakeSlack.StartAsync();
        var logs = new LogRecorder();
        (string, string)[] all =
        [
            ("LINEAR_MCP_URL", linear.Url.ToString()), ("LINEAR_API_KEY", linear.Token),
            ("SENTRY_MCP_URL", sentry.Url.ToString()), ("SENTRY_AUTH_TOKEN", sentry.Token),
            ("SLACK_MCP_URL", slack.Url.ToString()), ("SLACK_BOT_TOKEN", slack.Token),
            ("MCP_ALLOW_PRIVATE", "true"),
            ("LOG_LEVEL", "Debug"),
            .. settings,
        ];
        return new McpReviewScenario(await ContextScenario.StartAsync(provider, logs, all), linear, sentry, slack, logs);
    }

    /// <summary>Opens a pull request that names the Linear task and touches the file Sentry has an error in; returns the review and the model's first request.</summary>
    public Task<(PostedReview Review, RecordedLlmRequest Prompt)> ReviewAsync(int number) =>
        Context.ReviewAsync(number, "dave", [Refunds], $"Clamp refunds to the captured amount ({FakeLinear.TaskIdentifier})", "Refunds larger than the charge are clamped.");

    /// <summary>A signed-in client (with cookies) and the dashboard's antiforgery form token from the Settings page.</summary>
    public async Task<(HttpClient Client, string Html)> SettingsAsync(HttpClient? client = null, string path = "/settings")
    {
        client ??= (await Context.App.SignedInClientAsync("dave", 5001)).Client;
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (client, await response.Content.ReadAsStringAsync(Ct));
    }

    public static string FormToken(string html) => WebUtility.HtmlDecode(TokenField().Match(html).Groups[1].Value);

    /// <summary>Every place a token could leak to: the model's requests, the app's log lines, what was posted to GitHub.</summary>
    public void AssertNoTokenLeaked(params string[] alsoChecked)
    {
        var places = Context.Llm.Requests.Select(r => ("a model request", r.Body))
            .Concat(Logs.Entries.Select(e => ("a log line", e.Message)))
            .Concat(Context.GitHub.Requests.Select(r => ($"GitHub {r.Method} {r.PathAndQuery}", r.Body)))
            .Concat(alsoChecked.Select(text => ("a page or API answer", text)));
        foreach (var (where, text) in places)
        {
            foreach (var server in Servers)
            {
                Assert.False(text.Contains(server.Token, StringComparison.Ordinal), $"{server.Name}'s token leaked into {where}.");
            }
        }

        // Each server got its own token and never another's.
        foreach (var server in Servers)
        {
            Assert.NotEmpty(server.Authorizations);
            Assert.All(server.Authorizations, a => Assert.Equal("Bearer " + server.Token, a));
        }
    }

    public void AssertNoUnexpectedCalls()
    {
        foreach (var server in Servers)
        {
            server.AssertNoUnexpectedCalls();
        }

        Context.GitHub.AssertNoUnexpectedCalls();
        Context.Llm.AssertNoUnexpectedCalls();
    }

    /// <summary>Whether every occurrence of <paramref name="needle"/> in <paramref name="text"/> lies inside an untrusted-data block.</summary>
    public static bool OnlyInsideUntrusted(string text, string needle)
    {
        var found = false;
        for (var at = text.IndexOf(needle, StringComparison.Ordinal); at >= 0; at = text.IndexOf(needle, at + 1, StringComparison.Ordinal))
        {
            found = true;
            var open = text.LastIndexOf("<untrusted-data ", at, StringComparison.Ordinal);
            var close = text.LastIndexOf("</untrusted-data", at, StringComparison.Ordinal);
            if (open < 0 || close > open)
            {
                return false;
            }
        }

        return found;
    }

    public async ValueTask DisposeAsync()
    {
        await Context.DisposeAsync();
        foreach (var server in Servers)
        {
            await server.DisposeAsync();
        }

        Logs.Dispose();
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
