using Nectr.Engine.Diffs;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Findings;

public sealed class AnchoringTests
{
    private static readonly Dictionary<string, FilePatch> Patches = new() { ["a.cs"] = PatchParser.Parse("@@ -1,2 +1,6 @@\n a\n+b\n+c\n+d\n+e\n f") };

    private static Finding F(string ruleId, int line, Severity severity = Severity.Medium, string title = "Null check missing", string category = "correctness", int? end = null) =>
        new(ruleId, "a.cs", line, end, severity, category, title, "body", null);

    [Fact]
    public void The_same_rule_on_the_same_line_is_one_finding()
    {
        Assert.Single(Anchoring.Dedupe([F("secret/x", 2), F("secret/x", 2)]));
    }

    [Fact]
    public void Built_in_findings_on_adjacent_lines_stay_separate()
    {
        Assert.Equal(2, Anchoring.Dedupe([F("secret/x", 2), F("secret/x", 3)]).Count);
    }

    [Fact]
    public void Model_findings_one_line_apart_with_similar_titles_merge_keeping_the_higher_severity()
    {
        var merged = Assert.Single(Anchoring.Dedupe([F("ai/correctness", 2, Severity.Low, "Missing null check"), F("ai/other", 3, Severity.High, "Null check is missing here")]));

        Assert.Equal(Severity.High, merged.Severity);
    }

    [Fact]
    public void Different_issues_on_the_same_line_stay_separate()
    {
        Assert.Equal(2, Anchoring.Dedupe([F("ai/correctness", 2, title: "Missing null check"), F("ai/performance", 2, title: "Allocation in a loop", category: "performance")]).Count);
    }

    [Fact]
    public void A_built_in_finding_wins_a_tie_with_a_model_finding()
    {
        var kept = Assert.Single(Anchoring.Dedupe([F("ai/security", 3, Severity.Critical, "Possible AWS key committed here", "security"), F("secret/aws", 3, Severity.Critical, "Possible AWS key committed", "security")]));

        Assert.Equal("secret/aws", kept.RuleId);
    }

    [Fact]
    public void Findings_below_the_inline_threshold_go_to_the_summary()
    {
        var (inline, unanchored) = Anchoring.Place([F("ai/a", 2, Severity.High), F("ai/b", 3, Severity.Low)], Patches, new ReviewSettings(InlineThreshold: Severity.Medium));

        Assert.Equal("ai/a", Assert.Single(inline).Finding.RuleId);
        Assert.Equal("ai/b", Assert.Single(unanchored).RuleId);
    }

    [Fact]
    public void The_inline_cap_keeps_the_most_severe_findings()
    {
        var (inline, unanchored) = Anchoring.Place([F("ai/nit", 2, Severity.Nit), F("ai/crit", 4, Severity.Critical), F("ai/low", 3, Severity.Low)], Patches, new ReviewSettings(MaxInlineComments: 2));

        Assert.Equal(["ai/crit", "ai/low"], inline.Select(i => i.Finding.RuleId));
        Assert.Equal("ai/nit", Assert.Single(unanchored).RuleId);
    }

    [Fact]
    public void Multi_line_findings_become_multi_line_comments()
    {
        var (inline, _) = Anchoring.Place([F("ai/a", 2, end: 4)], Patches, ReviewSettings.Default);

        Assert.Equal((4, (int?)2), (inline[0].Comment.Line, inline[0].Comment.StartLine));
    }
}
