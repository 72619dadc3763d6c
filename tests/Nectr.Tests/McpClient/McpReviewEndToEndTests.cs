using System.Text.Json;
using Nectr.Tests.Context;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Infrastructure.FakeMcp;

namespace Nectr.Tests.McpClient;

/// <summary>
/// Linear, Sentry and Slack context in a review, through the front door: a signed webhook, the real app and its real
/// MCP client against fake servers with the real servers' tool names and schemas, and a fake model that records
/// its prompts (and, in one test, calls the read-only MCP tools).
/// </summary>
public sealed class McpReviewEndToEndTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_prompt_carries_the_linear_task_the_sentry_error_and_the_slack_message_as_untrusted_data_and_no_token_leaves_its_server(string provider)
    {
        await using var scenario = await McpReviewScenario.StartAsync(provider);

        var (review, prompt) = await scenario.ReviewAsync(1);

        var user = string.Concat(prompt.UserTexts);
        foreach (var text in new[] { FakeLinear.TaskTitle, FakeLinear.TaskDescription, FakeSentry.ErrorTitle, $"File \"{FakeSentry.TouchedFile}\", line 12, in refund", FakeSlack.MessageText })
        {
            Assert.True(McpReviewScenario.OnlyInsideUntrusted(user, text), $"'{text}' is not in the prompt, or not only inside untrusted data:\n{user}");
        }

        Assert.NotNull(ContextScenario.Block(prompt, "mcp"));
        Assert.DoesNotContain(FakeLinear.TaskTitle, prompt.SystemText, StringComparison.Ordinal);
        // Each server was asked once, with its own search tool and arguments its schema takes.
        Assert.Equal(FakeLinear.TaskIdentifier, Assert.Single(scenario.Linear.CallsOf("list_issues")).Arguments["query"].GetString());
        var sentry = Assert.Single(scenario.Sentry.Calls);
        Assert.Equal("search_issues", sentry.Tool); // not search_events: its natural-language query needs Sentry's own AI provider
        Assert.Contains(FakeSentry.TouchedFile.Split('/')[^1], string.Concat(sentry.Arguments.Values.Select(v => v.ToString())), StringComparison.Ordinal);
        Assert.Single(scenario.Slack.CallsOf("conversations_search_messages"));
        var coverage = review.Body.Split('\n').SingleOrDefault(l => l.StartsWith("Reviewed without:", StringComparison.Ordinal)) ?? "";
        Assert.DoesNotContain("Linear", coverage, StringComparison.Ordinal); // the first PR lacks only file history
        Assert.DoesNotContain("Sentry", coverage, StringComparison.Ordinal);
        Assert.DoesNotContain("Slack", coverage, StringComparison.Ordinal);

        var (client, html) = await scenario.SettingsAsync();
        var api = await client.GetStringAsync("/api/v1/mcp/servers", Ct);
        scenario.AssertNoTokenLeaked(review.Body, html, api);
        scenario.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_server_that_hangs_costs_at_most_its_timeout_and_the_review_is_posted_with_a_coverage_note_naming_it()
    {
        await using var scenario = await McpReviewScenario.StartAsync("sqlite", ("MCP_CALL_TIMEOUT_SECONDS", "3"));
        scenario.Sentry.Hang = true; // 3 s rather than 1: under a loaded machine the servers that answer must still make it

        var (review, prompt) = await scenario.ReviewAsync(1);

        var coverage = review.Body[review.Body.IndexOf("Reviewed without:", StringComparison.Ordinal)..];
        Assert.Contains("Sentry", coverage.Split('\n')[0], StringComparison.Ordinal);
        Assert.Contains("timeout", coverage.Split('\n')[0], StringComparison.Ordinal);
        // The servers that answered still did.
        Assert.True(McpReviewScenario.OnlyInsideUntrusted(string.Concat(prompt.UserTexts), FakeLinear.TaskTitle));
        Assert.True(McpReviewScenario.OnlyInsideUntrusted(string.Concat(prompt.UserTexts), FakeSlack.MessageText));
        Assert.Empty(scenario.Sentry.Calls);
        scenario.AssertNoTokenLeaked(review.Body);
        scenario.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_models_calls_of_get_related_errors_search_discussions_and_get_linked_issues_reach_the_servers_and_come_back_as_untrusted_data()
    {
        await using var scenario = await McpReviewScenario.StartAsync("sqlite");
        scenario.Context.Llm.Enqueue(FakeLlmResponse.ToolCalls(
            ("get_related_errors", $$"""{"path": "{{FakeSentry.TouchedFile}}"}"""),
            ("search_discussions", """{"query": "partial refunds split payments"}"""),
            ("get_linked_issues", """{"query": "refund captured amount"}""")));

        var (review, first) = await scenario.ReviewAsync(1);

        Assert.Contains("get_linked_issues", first.ToolNames);
        Assert.Contains("get_related_errors", first.ToolNames);
        Assert.Contains("search_discussions", first.ToolNames);
        var next = scenario.Context.Llm.Requests[scenario.Context.Llm.Requests.ToList().IndexOf(first) + 1];
        var results = next.ToolResults.Select(r => r.Text).ToList();
        Assert.Equal(3, results.Count);
        Assert.All(results, r => Assert.StartsWith("<untrusted-data kind=\"tool-result\"", r, StringComparison.Ordinal));
        Assert.Contains(FakeSentry.ErrorTitle, results[0], StringComparison.Ordinal);
        Assert.Contains(FakeSlack.MessageText, results[1], StringComparison.Ordinal);
        Assert.Contains(FakeLinear.TaskTitle, results[2], StringComparison.Ordinal);
        // The model's words reached the servers as the search text.
        Assert.Contains(scenario.Sentry.Calls, c => FakeSentry.SearchTools.Contains(c.Tool) && c.Arguments.Values.Any(v => v.ToString() == FakeSentry.TouchedFile));
        Assert.Contains(scenario.Slack.CallsOf("conversations_search_messages"), c => Text(c.Arguments, "search_query") == "partial refunds split payments");
        Assert.Contains(scenario.Linear.CallsOf("list_issues"), c => Text(c.Arguments, "query") == "refund captured amount");
        scenario.AssertNoTokenLeaked(review.Body);
        scenario.AssertNoUnexpectedCalls();
    }

    private static string? Text(IReadOnlyDictionary<string, JsonElement> arguments, string name) =>
        arguments.TryGetValue(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
