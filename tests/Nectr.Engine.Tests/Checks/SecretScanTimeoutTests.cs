using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Checks;

/// <summary>
/// A rule's regex runs with a timeout (a hostile text must not stall a review). When it fires, the redactor fails
/// closed: the window that rule could not finish is redacted whole, so an unscanned secret never reaches the model; and
/// the review's secret check reports those lines as not checked instead of passing them as clean.
/// </summary>
public sealed class SecretScanTimeoutTests
{
    // (x+x+)+y backtracks exponentially on a run of x without a y: far past the 250 ms timeout at 40 characters.
    private const string Rules = """
        [[rules]]
        id = "catastrophic"
        description = "a rule whose regex cannot finish on some texts"
        regex = '''xkey((x+x+)+y)'''
        secretGroup = 1
        keywords = ["xkey"]
        """;

    [Fact]
    public void A_window_whose_scan_times_out_is_redacted_whole_instead_of_sent_unchecked()
    {
        var check = new SecretCheck(SecretRuleSet.Load(Rules));
        var secretLine = "password_like = xkey" + new string('x', 40);
        var text = "first line\n" + secretLine + "\nlast line";

        var spans = check.FindSecrets(text);

        var span = Assert.Single(spans);
        Assert.Equal(SecretCheck.UnscannedRuleId, span.RuleId);
        Assert.True(span.Start <= text.IndexOf("xkey", StringComparison.Ordinal) && text.Length - "\nlast line".Length <= span.End,
            $"the redacted window [{span.Start}, {span.End}) does not cover the line the rule could not finish");
    }

    [Fact]
    public void The_same_rule_that_finishes_redacts_only_its_match()
    {
        var check = new SecretCheck(SecretRuleSet.Load(Rules));
        var text = "first line\nvalue = xkeyxxy\nlast line";

        var span = Assert.Single(check.FindSecrets(text));

        Assert.Equal(("catastrophic", "xxy"), (span.RuleId, text.Substring(span.Start, span.Length)));
    }

    [Fact]
    public void The_secret_check_reports_the_lines_it_could_not_finish_instead_of_passing_them()
    {
        var check = new SecretCheck(SecretRuleSet.Load(Rules));
        var patch = PatchParser.Parse("@@ -1,1 +1,4 @@\n context\n+first added\n+password_like = xkey" + new string('x', 40) + "\n+last added");

        var finding = Assert.Single(check.Scan("config.txt", patch));

        Assert.Equal(("secret/" + SecretCheck.UnscannedRuleId, "config.txt", Severity.Medium), (finding.RuleId, finding.File, finding.Severity));
        Assert.True(finding.Line <= 3 && 3 <= (finding.EndLine ?? finding.Line), $"lines {finding.Line}-{finding.EndLine} do not include line 3, which the rule could not finish");
        Assert.Contains("not checked", finding.Body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_secret_check_reports_nothing_unchecked_when_the_rule_finishes()
    {
        var check = new SecretCheck(SecretRuleSet.Load(Rules));
        var patch = PatchParser.Parse("@@ -1,1 +1,2 @@\n context\n+value = xkeyxxy");

        var finding = Assert.Single(check.Scan("config.txt", patch));

        Assert.Equal("secret/catastrophic", finding.RuleId);
    }
}
