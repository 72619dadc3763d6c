using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Context;

/// <summary>
/// A review that knows the project, through the front door: signed deliveries, the real app on SQLite and
/// PostgreSQL, the fake GitHub and a fake model that records its prompts.
/// </summary>
public sealed class ContextEndToEndTests
{
    private static FakeFile Refunds(int n) => new("src/refunds.py", "modified", $"@@ -10,2 +10,3 @@ def refund(order):\n     amount = order.total\n+    fee = amount * 0.0{n}\n     return amount");

    private static readonly FakeFile Ledger = new("src/ledger.py", "modified", "@@ -1,2 +1,3 @@\n import db\n+import audit\n def post(entry):");

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Earlier_prs_by_others_are_the_experts_and_related_past_work_and_an_open_pr_on_a_shared_file_may_conflict(string provider)
    {
        await using var scenario = await ContextScenario.StartAsync(provider);
        await scenario.ReviewAsync(1, "alice", [Refunds(1)], "Refund fee");
        await scenario.MergeAsync(1, "alice");
        await scenario.ReviewAsync(2, "bob", [Refunds(2)], "Lower the refund fee");
        await scenario.MergeAsync(2, "bob");
        await scenario.ReviewAsync(3, "carol", [Ledger], "Audit ledger posts");

        var (review, prompt) = await scenario.ReviewAsync(4, "dave", [Refunds(4), Ledger], "Refunds post to the ledger");

        var experts = ContextScenario.Block(prompt, "file-experts");
        Assert.NotNull(experts);
        Assert.Contains("alice: 1 pull request", experts, StringComparison.Ordinal);
        Assert.Contains("bob: 1 pull request", experts, StringComparison.Ordinal);
        Assert.DoesNotContain("dave", experts, StringComparison.Ordinal);
        var related = ContextScenario.Block(prompt, "related-pull-requests");
        Assert.NotNull(related);
        Assert.Contains("#1 \"Refund fee\" by alice", related, StringComparison.Ordinal);
        Assert.Contains("#2 \"Lower the refund fee\" by bob", related, StringComparison.Ordinal);
        Assert.Contains("#3 \"Audit ledger posts\" by carol", string.Concat(prompt.UserTexts), StringComparison.Ordinal);

        var body = review.Body;
        var past = Section(body, "Related past work");
        Assert.Contains("#1 — Refund fee", past, StringComparison.Ordinal);
        Assert.Contains("#2 — Lower the refund fee", past, StringComparison.Ordinal);
        Assert.Contains("`src/refunds.py`", past, StringComparison.Ordinal);
        var conflicts = Section(body, "May conflict with open PRs");
        Assert.Contains("#3 — Audit ledger posts (shared: `src/ledger.py`)", conflicts, StringComparison.Ordinal);
        Assert.DoesNotContain("Reviewed without", body, StringComparison.Ordinal);
        scenario.GitHub.AssertNoUnexpectedCalls();
        scenario.Llm.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_first_pr_of_a_repository_is_reviewed_and_its_coverage_says_the_index_is_empty(string provider)
    {
        await using var scenario = await ContextScenario.StartAsync(provider);

        var (review, prompt) = await scenario.ReviewAsync(1, "alice", [Refunds(1)], "Refund fee");

        Assert.Null(ContextScenario.Block(prompt, "file-experts"));
        Assert.Contains("Reviewed without: file history (no earlier pull request of this repository is indexed yet).", review.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("### Related past work", review.Body, StringComparison.Ordinal);
    }

    /// <summary>The lines of one "### heading" section of a review body.</summary>
    internal static string Section(string body, string heading)
    {
        var start = body.IndexOf("### " + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No '### {heading}' section in:\n{body}");
        var end = body.IndexOf("\n### ", start + 4, StringComparison.Ordinal);
        return end < 0 ? body[start..] : body[start..end];
    }
}
