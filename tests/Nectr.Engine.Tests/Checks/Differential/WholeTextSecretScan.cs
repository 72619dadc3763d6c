using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Nectr.Engine.Checks.Secrets;

namespace Nectr.Engine.Tests.Checks.Differential;

/// <summary>
/// The oracle: every candidate rule's regex over the whole text, as the redactor scanned before issue #13. It shares
/// only what the windows do not change (rule selection, what a match's secret is, allowlists, merging) with the
/// product's <see cref="SecretCheck.FindSecrets(string)"/>.
/// </summary>
internal static class WholeTextSecretScan
{
    private static readonly ConcurrentDictionary<string, Regex> Unlimited = new(StringComparer.Ordinal);

    public static List<SecretSpan> FindSecrets(SecretCheck check, string text)
    {
        var spans = new List<SecretSpan>();
        text = SecretCheck.EscapedQuotesAsSpaces(text);
        foreach (var rule in check.Candidates(check.KeywordHits(text)))
        {
            if (rule.Regex.Value is null)
            {
                continue;
            }

            // Without the product's match timeout: on a loaded machine a whole-text scan of a long text can time out and
            // find nothing, which would make the oracle, not the windows, wrong.
            var regex = Unlimited.GetOrAdd(rule.Pattern, static p => new Regex(SecretRuleSet.Translate(p), RegexOptions.CultureInvariant | RegexOptions.Compiled));
            foreach (Match match in regex.Matches(text))
            {
                if (SecretCheck.Secret(rule, match, redacting: true) is { } found
                    && !check.AllowedContent(rule, SecretCheck.LineAround(text, found.Index), found.Match, found.Secret))
                {
                    spans.Add(new SecretSpan(found.Index, found.Secret.Length, rule.Id));
                }
            }
        }

        return SecretCheck.Merge(spans);
    }
}
