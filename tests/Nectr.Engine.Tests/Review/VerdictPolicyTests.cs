using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

public sealed class VerdictPolicyTests
{
    private static Finding Of(Severity severity) => new("ai/x", "a.cs", 1, null, severity, "c", "t", "b", null);

    [Fact]
    public void Critical_or_high_findings_request_changes_and_say_how_many()
    {
        var (verdict, reason) = VerdictPolicy.Decide([Of(Severity.Critical), Of(Severity.High), Of(Severity.High), Of(Severity.Nit)]);

        Assert.Equal(Verdict.RequestChanges, verdict);
        Assert.Equal("1 critical, 2 high finding(s) must be addressed", reason);
    }

    [Fact]
    public void Medium_findings_need_discussion()
    {
        Assert.Equal(Verdict.NeedsDiscussion, VerdictPolicy.Decide([Of(Severity.Medium), Of(Severity.Low)]).Verdict);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3)]
    public void Only_low_findings_or_none_approve_in_the_body(int lows)
    {
        Assert.Equal(Verdict.Approve, VerdictPolicy.Decide(Enumerable.Repeat(Of(Severity.Low), lows).ToList()).Verdict);
    }

    [Fact]
    public void The_github_event_is_never_approve_for_any_verdict_or_setting()
    {
        foreach (var verdict in Enum.GetValues<Verdict>())
        {
            foreach (var blocking in new[] { false, true })
            {
                var expected = blocking && verdict == Verdict.RequestChanges ? "REQUEST_CHANGES" : "COMMENT";

                Assert.Equal(expected, VerdictPolicy.GitHubEvent(verdict, new ReviewSettings(BlockingReviews: blocking)));
            }
        }
    }
}
