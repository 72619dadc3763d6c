using Nectr.Engine.Living;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Living;

public sealed class LivingReviewBodyTests
{
    private const string Head = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Before = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static readonly ReviewRequest Request = new("octo", "app", 5, "PR", Head, 77,
        [new PullRequestFile("src/a.js", "modified", 1, 0, "@@ -1 +1,2 @@\n a\n+b", null)], 1, ReviewSettings.Default);

    private static readonly Finding Key = new("secret/aws", "src/a.js", 2, null, Severity.Critical, "security", "AWS key", "Rotate it.", null) { Fingerprint = "aaaa1111aaaa1111" };

    private static readonly ReviewResult Result = new("## Nectr review\n\nengine body\n\n" + ReviewMarker.For(Head, 77) + "\n",
        [new InlineComment("src/a.js", 2, null, "AWS key")], [Key], [], new Coverage(1, 1, []));

    private static readonly TrackedFinding Gone = new("bbbb2222bbbb2222", Severity.High, "src/b.py", 12, "Merge conflict marker", TrackedStatus.Resolved, true);

    [Fact]
    public void An_incremental_body_says_the_range_the_new_findings_what_was_resolved_and_what_stays_open_with_the_marker()
    {
        var range = new ReviewRange(ReviewScope.Incremental, Before, new HashSet<string>(["src/a.js"]), null);
        var plan = new LedgerPlan([new PlannedFinding(Key, LedgerAction.New, Anchored: true, PostInline: true)], []);

        var body = LivingReviewBody.Render(Request, Result, range, plan, [Gone], stillOpen: 2, inlineRefused: false);

        Assert.Contains("Incremental review of 1111111..2222222", body, StringComparison.Ordinal);
        Assert.Contains("**1 new finding**, 1 inline:", body, StringComparison.Ordinal);
        Assert.Contains("- `src/a.js:2` — AWS key", body, StringComparison.Ordinal);
        Assert.Contains("- ✅ `src/b.py:12` — Merge conflict marker", body, StringComparison.Ordinal);
        Assert.Contains("2 findings from earlier reviews are still open and not repeated.", body, StringComparison.Ordinal);
        Assert.True(ReviewMarker.IsIn(body, Head, 77));
        Assert.DoesNotContain("engine body", body, StringComparison.Ordinal);
    }

    [Fact]
    public void When_github_refuses_the_inline_comments_the_new_findings_are_written_out_in_the_body()
    {
        var range = new ReviewRange(ReviewScope.Incremental, Before, new HashSet<string>(["src/a.js"]), null);
        var plan = new LedgerPlan([new PlannedFinding(Key, LedgerAction.New, Anchored: true, PostInline: true)], []);

        var body = LivingReviewBody.Render(Request, Result, range, plan, [], stillOpen: 0, inlineRefused: true);

        Assert.Contains("Rotate it.", body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_review_after_a_rewrite_says_so_above_the_engine_body()
    {
        var range = ReviewRanges.Decide(false, Before, Head, new CompareAnswer("diverged", []));

        var body = LivingReviewBody.Render(Request, Result, range, new LedgerPlan([], []), [Gone], stillOpen: 0, inlineRefused: false);

        Assert.StartsWith("> [!NOTE]\n> full review: the branch was rewritten since 1111111\n\n", body, StringComparison.Ordinal);
        Assert.Contains("**Resolved since the last review (1):**", body, StringComparison.Ordinal);
        Assert.EndsWith(Result.Body, body, StringComparison.Ordinal);
    }
}
