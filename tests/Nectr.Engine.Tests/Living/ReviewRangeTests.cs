using Nectr.Engine.Living;

namespace Nectr.Engine.Tests.Living;

public sealed class ReviewRangeTests
{
    private const string Old = "1111111aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string Head = "2222222bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    [Fact]
    public void The_first_review_of_a_pr_is_full_and_needs_no_compare()
    {
        var range = ReviewRanges.Decide(fullRequested: false, lastReviewedSha: null, Head, compare: null);

        Assert.Equal(ReviewScope.Full, range.Scope);
        Assert.Null(range.Paths);
        Assert.Null(range.Notice);
        Assert.True(range.Covers("any/file.cs"));
        Assert.False(ReviewRanges.NeedsCompare(false, null, Head));
    }

    [Fact]
    public void A_fast_forward_reviews_only_the_paths_the_compare_lists()
    {
        var range = ReviewRanges.Decide(false, Old, Head, new CompareAnswer("ahead", ["src/a.js", "src/b.py"]));

        Assert.Equal(ReviewScope.Incremental, range.Scope);
        Assert.Equal(Old, range.FromSha);
        Assert.True(range.Covers("src/a.js"));
        Assert.False(range.Covers("src/c.cfg"));
        Assert.Equal("incremental review of 1111111..2222222", range.Notice);
        Assert.True(ReviewRanges.NeedsCompare(false, Old, Head));
    }

    [Fact]
    public void A_push_ahead_that_changed_no_file_is_an_empty_range_that_says_nothing_changed()
    {
        var range = ReviewRanges.Decide(false, Old, Head, new CompareAnswer("ahead", []));

        Assert.True(range.IsEmpty);
        Assert.Equal(ReviewScope.Incremental, range.Scope);
        Assert.Equal("nothing changed since 1111111: the push changed no file", range.Notice);
    }

    [Theory]
    [InlineData("diverged")]
    [InlineData("behind")]
    public void A_rewritten_branch_gets_a_full_review_that_says_so(string status)
    {
        var range = ReviewRanges.Decide(false, Old, Head, new CompareAnswer(status, ["src/a.js"]));

        Assert.Equal(ReviewScope.FullAfterRewrite, range.Scope);
        Assert.Null(range.Paths);
        Assert.Equal("full review: the branch was rewritten since 1111111", range.Notice);
    }

    [Fact]
    public void A_last_reviewed_commit_github_no_longer_has_means_a_full_review_that_says_so()
    {
        var range = ReviewRanges.Decide(false, Old, Head, compare: null);

        Assert.Equal(ReviewScope.FullAfterRewrite, range.Scope);
        Assert.StartsWith("full review: the branch was rewritten since 1111111", range.Notice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_compare_at_githubs_300_file_limit_is_not_trusted_and_the_review_is_full()
    {
        var paths = Enumerable.Range(0, ReviewRanges.CompareFileLimit).Select(i => $"f{i}.cs").ToList();

        var range = ReviewRanges.Decide(false, Old, Head, new CompareAnswer("ahead", paths));

        Assert.Equal(ReviewScope.Full, range.Scope);
        Assert.Null(range.Paths);
        Assert.Contains("more than GitHub's compare lists", range.Notice, StringComparison.Ordinal);
    }

    [Fact]
    public void A_full_review_asked_for_skips_the_compare_and_reviews_everything()
    {
        var range = ReviewRanges.Decide(fullRequested: true, Old, Head, compare: null);

        Assert.Equal(ReviewScope.FullRequested, range.Scope);
        Assert.Null(range.Paths);
        Assert.False(ReviewRanges.NeedsCompare(true, Old, Head));
    }

    [Fact]
    public void The_same_head_again_is_an_empty_incremental_range()
    {
        var range = ReviewRanges.Decide(false, Head, Head, compare: null);

        Assert.True(range.IsEmpty);
        Assert.Equal(ReviewScope.Incremental, range.Scope);
        Assert.False(ReviewRanges.NeedsCompare(false, Head, Head));
        Assert.True(ReviewRanges.Decide(false, Old, Head, new CompareAnswer("identical", [])).IsEmpty);
    }
}
