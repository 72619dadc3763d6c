using Nectr.Engine.Living;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Living;

public sealed class LedgerPlannerTests
{
    private const string Head = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string Before = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";

    private static readonly ReviewRange Everything = new(ReviewScope.Full, null, null, null);

    private static Finding Found(string fingerprint, string file = "src/a.js", int line = 3) =>
        new("secret/aws", file, line, null, Severity.Critical, "security", "AWS key", "Rotate it.", null) { Fingerprint = fingerprint };

    /// <summary>A result whose anchored findings come first, each with its inline comment, as the engine builds it.</summary>
    private static ReviewResult Result(IReadOnlyList<Finding> anchored, IReadOnlyList<Finding>? unanchored = null)
    {
        var off = unanchored ?? [];
        return new ReviewResult("body", [.. anchored.Select(f => new InlineComment(f.File, f.Line, null, f.Title))], [.. anchored, .. off], off, new Coverage(1, 1, []));
    }

    private static LedgerEntry Open(string fingerprint, string file = "src/a.js", bool inline = true, bool hasComment = true, string lastSeen = Before) =>
        new(fingerprint, file, Open: true, inline, hasComment, ThreadResolved: false, lastSeen);

    [Fact]
    public void A_finding_not_in_the_ledger_is_new_and_posted_inline_when_anchored()
    {
        var plan = LedgerPlanner.Decide([], Result([Found("aaaa1111")], [Found("bbbb2222", line: 0)]), Everything, Head);

        Assert.Equal([(LedgerAction.New, true), (LedgerAction.New, false)], plan.Found.Select(f => (f.Action, f.PostInline)));
        Assert.Equal(["aaaa1111"], plan.Posted.Select(p => p.Finding.Fingerprint));
        Assert.Empty(plan.Resolve);
    }

    [Fact]
    public void A_finding_already_posted_and_still_open_is_not_posted_again()
    {
        var plan = LedgerPlanner.Decide([Open("aaaa1111")], Result([Found("aaaa1111", line: 9)]), Everything, Head);

        var found = Assert.Single(plan.Found);
        Assert.Equal(LedgerAction.StillOpen, found.Action);
        Assert.False(found.PostInline);
        Assert.Empty(plan.Posted);
        Assert.Empty(plan.Fresh);
    }

    [Fact]
    public void Two_findings_with_one_fingerprint_are_one_tracked_finding_posted_once()
    {
        var plan = LedgerPlanner.Decide([], Result([Found("aaaa1111", line: 3), Found("aaaa1111", line: 7)]), Everything, Head);

        Assert.Single(plan.Posted);
    }

    [Fact]
    public void An_open_finding_on_a_reviewed_file_that_is_gone_is_resolved_and_one_outside_the_range_is_left_alone()
    {
        var range = new ReviewRange(ReviewScope.Incremental, Before, new HashSet<string>(["src/a.js"]), null);

        var plan = LedgerPlanner.Decide([Open("aaaa1111", "src/a.js"), Open("cccc3333", "src/c.cfg")], Result([]), range, Head);

        Assert.Equal(["aaaa1111"], plan.Resolve);
    }

    [Fact]
    public void A_resolved_finding_that_comes_back_is_reopened_and_posted_again_only_when_its_old_thread_is_resolved()
    {
        LedgerEntry Resolved(string fp, bool threadResolved) => new(fp, "src/a.js", Open: false, Inline: true, HasComment: true, threadResolved, Before);

        var plan = LedgerPlanner.Decide([Resolved("aaaa1111", threadResolved: true), Resolved("bbbb2222", threadResolved: false)],
            Result([Found("aaaa1111"), Found("bbbb2222")]), Everything, Head);

        Assert.Equal([(LedgerAction.Reopened, true), (LedgerAction.Reopened, false)], plan.Found.Select(f => (f.Action, f.PostInline)));
        Assert.Equal(2, plan.Fresh.Count);
    }

    [Fact]
    public void An_inline_comment_planned_at_this_head_whose_review_never_reached_github_is_still_to_be_posted()
    {
        var planned = Open("aaaa1111", hasComment: false, lastSeen: Head);

        var plan = LedgerPlanner.Decide([planned], Result([Found("aaaa1111")]), Everything, Head);

        Assert.Equal((LedgerAction.New, true), (plan.Found[0].Action, plan.Found[0].PostInline));
    }

    [Fact]
    public void An_open_finding_that_was_only_listed_before_is_placed_inline_once_it_can_be()
    {
        var plan = LedgerPlanner.Decide([Open("aaaa1111", inline: false, hasComment: false)], Result([Found("aaaa1111")]), Everything, Head);

        Assert.Equal((LedgerAction.StillOpen, true), (plan.Found[0].Action, plan.Found[0].PostInline));
    }
}
