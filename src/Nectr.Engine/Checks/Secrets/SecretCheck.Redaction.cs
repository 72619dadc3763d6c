namespace Nectr.Engine.Checks.Secrets;

/// <summary>Where a secret sits in a text, and which rule found it.</summary>
internal readonly record struct SecretSpan(int Start, int Length, string RuleId)
{
    public int End => Start + Length;
}

internal sealed partial class SecretCheck
{
    /// <summary>False when no rule can match anywhere in <paramref name="text"/>: most code has no keyword at all.</summary>
    public bool MayContainSecret(ReadOnlySpan<char> text) => _alwaysRun.Length > 0 || text.IndexOfAny(_anyKeyword) >= 0;

    /// <summary>The rule id of a span redacted whole because a rule's scan of it timed out.</summary>
    public const string UnscannedRuleId = "unscanned-after-timeout";

    /// <summary>
    /// Every secret in <paramref name="text"/>, for redaction before text reaches a model, ordered by position with
    /// overlaps merged. Unlike <see cref="Scan"/> this ignores path restrictions and path allowlists: a prompt mixes
    /// text from many places, and redacting one false positive too many costs less than leaking one credential.
    /// The content allowlists (example keys, placeholders) still apply, but a rule's stop words do not: a random key
    /// that happens to contain "dead" or "feed" is still a key. Each rule runs only on the windows
    /// around its keywords (<see cref="KeywordWindows"/>); <c>SecretWindowDifferentialTests</c> proves the spans
    /// byte-identical to a scan of the whole text.
    /// </summary>
    public List<SecretSpan> FindSecrets(string text) => FindSecrets(text, static rule => rule.Reach.Value);

    /// <summary>As <see cref="FindSecrets(string)"/>, with each rule's reach given: tests narrow it to show the differential test catches a window too small.</summary>
    internal List<SecretSpan> FindSecrets(string text, Func<SecretRule, KeywordReach?> reachOf)
    {
        var spans = new List<SecretSpan>();
        text = EscapedQuotesAsSpaces(text);
        var hits = KeywordHits(text);
        if (hits.Count == 0 && _alwaysRun.Length == 0)
        {
            return spans;
        }

        var lines = new LineStarts(text);
        var timedOut = new List<(int Start, int Length)>();
        foreach (var rule in Candidates(hits))
        {
            foreach (var (secret, match, index) in Matches(rule, text, Windows(rule, text, hits, reachOf(rule), lines), timedOut, redacting: true))
            {
                if (!AllowedContent(rule, LineAround(text, index), match, secret))
                {
                    spans.Add(new SecretSpan(index, secret.Length, rule.Id));
                }
            }
        }

        // Fail closed: a window a rule could not finish scanning (its regex timed out, e.g. on a starved machine) may
        // hold a secret, so all of it is redacted rather than sent to the model unchecked.
        spans.AddRange(timedOut.Select(w => new SecretSpan(w.Start, w.Length, UnscannedRuleId)));
        return Merge(spans);
    }

    /// <summary>
    /// <c>password = \"…\"</c> inside a string literal or a JSON answer defeats the rules' quote handling. Replacing the
    /// backslash with a space keeps every offset, so spans found in the result apply to the original text.
    /// </summary>
    internal static string EscapedQuotesAsSpaces(string text)
    {
        if (!text.Contains("\\\"", StringComparison.Ordinal) && !text.Contains("\\'", StringComparison.Ordinal))
        {
            return text;
        }

        return string.Create(text.Length, text, static (span, source) =>
        {
            source.CopyTo(span);
            for (var i = 0; i < span.Length - 1; i++)
            {
                if (span[i] == '\\' && span[i + 1] is '"' or '\'')
                {
                    span[i] = ' ';
                }
            }
        });
    }

    internal bool AllowedContent(SecretRule rule, string line, string match, string secret)
    {
        if (_rules.Global is { } global
            && (global.Regexes.Any(r => r.Value is { } regex && Allowlist.SafeIsMatch(regex, secret))
                || global.StopWords.Any(w => secret.Contains(w, StringComparison.OrdinalIgnoreCase))))
        {
            return true;
        }

        return rule.Allowlists.Any(a => a.Allows(path: "", line, match, secret, stopWordsAllow: false));
    }

    internal static string LineAround(string text, int index)
    {
        var start = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        var end = text.IndexOf('\n', index);
        return text[start..(end < 0 ? text.Length : end)];
    }

    /// <summary>Sorted, non-overlapping; where two rules overlap, the earlier span's rule names the merged one.</summary>
    internal static List<SecretSpan> Merge(List<SecretSpan> spans)
    {
        if (spans.Count < 2)
        {
            return spans;
        }

        spans.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : b.Length.CompareTo(a.Length));
        var merged = new List<SecretSpan>(spans.Count) { spans[0] };
        foreach (var span in spans.Skip(1))
        {
            var last = merged[^1];
            if (span.Start < last.End)
            {
                merged[^1] = last with { Length = Math.Max(last.End, span.End) - last.Start };
            }
            else
            {
                merged.Add(span);
            }
        }

        return merged;
    }
}
