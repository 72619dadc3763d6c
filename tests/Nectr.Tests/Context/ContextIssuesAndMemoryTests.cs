using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Issues;
using Nectr.Tests.Memory;

namespace Nectr.Tests.Context;

/// <summary>
/// Linked and candidate issues and project memory in a review, through the front door on SQLite and PostgreSQL, and
/// what the review says when one of those sources fails.
/// </summary>
public sealed class ContextIssuesAndMemoryTests
{
    private static readonly FakeFile Refunds = new("src/refunds.py", "modified",
        "@@ -10,2 +10,3 @@ def refund(order):\n     amount = order.total\n+    fee = round_half_even(amount * 0.03)\n     return amount");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_linked_issue_is_in_the_prompt_and_resolved_and_a_matching_open_issue_is_a_candidate_the_model_can_confirm(string provider)
    {
        await using var scenario = await ContextScenario.StartAsync(provider);
        using var client = scenario.App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, await IssueTestKit.DeliverAsync(client, IssueTestKit.Payload("issues.opened.json", ContextScenario.FullName,
            IssueTestKit.Issue(14, "Refund fee rounding is wrong", "The refund fee rounds half-up; it should round half-even."))));
        Assert.Equal(HttpStatusCode.OK, await IssueTestKit.DeliverAsync(client, IssueTestKit.Payload("issues.opened.json", ContextScenario.FullName,
            IssueTestKit.Issue(15, "Dark mode for the dashboard", "Add a dark theme."))));
        scenario.GitHub.AddIssue(ContextScenario.Owner, ContextScenario.Repo, new FakeIssue(12, "Refunds can go negative", "A refund of a discounted order goes below zero."));
        // The model confirms the candidate, and claims an issue it was never offered: only the first may count.
        scenario.Resolves = """[{"number": 14, "confidence": 5, "reason": "The fee now rounds half-even."}, {"number": 15, "confidence": 5, "reason": "Also this."}]""";

        var (review, prompt) = await scenario.ReviewAsync(20, "dave", [Refunds], "Round the refund fee half-even", "Fixes #12\n\nRounds the refund fee half-even.");

        var linked = ContextScenario.Block(prompt, "linked-issue");
        Assert.NotNull(linked);
        Assert.Contains("#12 (open): Refunds can go negative", linked, StringComparison.Ordinal);
        Assert.Contains("A refund of a discounted order goes below zero.", linked, StringComparison.Ordinal);
        var candidates = ContextScenario.Block(prompt, "candidate-issues");
        Assert.NotNull(candidates);
        Assert.Contains("- #14: Refund fee rounding is wrong", candidates, StringComparison.Ordinal);
        Assert.DoesNotContain("#15", candidates, StringComparison.Ordinal);
        Assert.DoesNotContain("#12", candidates, StringComparison.Ordinal);

        Assert.Contains("- #12 — Refunds can go negative", ContextEndToEndTests.Section(review.Body, "Resolved issues"), StringComparison.Ordinal);
        var confirmed = ContextEndToEndTests.Section(review.Body, "Potentially resolves");
        Assert.Contains("- #14 — Refund fee rounding is wrong (confidence 5/5): The fee now rounds half-even.", confirmed, StringComparison.Ordinal);
        Assert.DoesNotContain("#15", confirmed, StringComparison.Ordinal);
        scenario.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_rule_added_through_the_api_is_in_the_next_reviews_prompt(string provider)
    {
        await using var scenario = await ContextScenario.StartAsync(provider);
        var (client, user) = await scenario.App.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(scenario.App, user.Id, ContextScenario.FullName, ContextScenario.RepoId);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = ContextScenario.FullName, content = "Money is always rounded half-even, never half-up.", memory_type = "project_rule" }), HttpStatusCode.Created);

        var (_, prompt) = await scenario.ReviewAsync(21, "dave", [Refunds], "Round the refund fee");

        var memory = ContextScenario.Block(prompt, "memory");
        Assert.NotNull(memory);
        Assert.Contains("Money is always rounded half-even, never half-up.", memory, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_issues_api_failing_still_gives_one_review_whose_coverage_names_the_issue()
    {
        await using var scenario = await ContextScenario.StartAsync("sqlite");
        scenario.GitHub.FailNext(FakeGitHub.PathEndsWith("GET", "/issues/12"), 50, 502, FakeGitHub.BadGatewayPage);

        var (review, prompt) = await scenario.ReviewAsync(22, "dave", [Refunds], "Round the refund fee", "Fixes #12");

        Assert.Single(scenario.GitHub.ReviewsOn(ContextScenario.Owner, ContextScenario.Repo, 22));
        Assert.Null(ContextScenario.Block(prompt, "linked-issue"));
        Assert.Contains("Reviewed without: linked issues (issue #12 not read (GitHub 502))", review.Body, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Memory_that_cannot_be_read_still_gives_one_review_whose_coverage_says_so(string provider)
    {
        await using var scenario = await ContextScenario.StartAsync(provider);
        await scenario.App.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE memory_extractions; DROP TABLE memories;", Ct));

        var (review, prompt) = await scenario.ReviewAsync(23, "dave", [Refunds], "Round the refund fee");

        Assert.Single(scenario.GitHub.ReviewsOn(ContextScenario.Owner, ContextScenario.Repo, 23));
        Assert.Null(ContextScenario.Block(prompt, "memory"));
        Assert.Contains("project memory (project memory could not be read)", review.Body, StringComparison.Ordinal);
    }
}
