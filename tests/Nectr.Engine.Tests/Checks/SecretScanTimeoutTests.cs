using Nectr.Engine.Checks.Secrets;

namespace Nectr.Engine.Tests.Checks;

/// <summary>
/// A rule's regex runs with a timeout (a hostile text must not stall a review). When it fires, the redactor fails
/// closed: the window that rule could not finish is redacted whole, so an unscanned secret never reaches the model.
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
}
