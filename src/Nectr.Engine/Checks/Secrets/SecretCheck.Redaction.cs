namespace Nectr.Engine.Checks.Secrets;

/// <summary>Where a secret sits in a text, and which rule found it.</summary>
internal readonly record struct SecretSpan(int Start, int Length, string RuleId)
{
    public int End => Start + Length;
}

internal sealed partial class SecretCheck
{
    /// <summary>
    /// Every secret in <paramref name="text"/>, for redaction before text reaches a model, ordered by position with
    /// overlaps merged. Unlike <see cref="Scan"/> this ignores path restrictions and path allowlists: a prompt mixes
    /// text from many places, and redacting one false positive too many costs less than leaking one credential.
    /// The content allowlists (example keys, placeholders, stop words) still apply.
    /// </summary>
    /// <summary>False when no rule can match anywhere in <paramref name="text"/>: most code has no keyword at all.</summary>
    public bool MayContainSecret(ReadOnlySpan<char> text) => _alwaysRun.Length > 0 || text.IndexOfAny(_anyKeyword) >= 0;

    public List<SecretSpan> FindSecrets(string text)
    {
        var spans = new List<SecretSpan>();
        text = EscapedQuotesAsSpaces(text);
        var hasKeyword = text.AsSpan().IndexOfAny(_anyKeyword) >= 0;
        if (!hasKeyword && _alwaysRun.Length == 0)
        {
            return spans;
        }

        foreach (var rule in Candidates(text, hasKeyword))
        {
            foreach (var (secret, match, index) in Matches(rule, text))
            {
                if (!AllowedContent(rule, LineAround(text, index), match, secret))
                {
                    spans.Add(new SecretSpan(index, secret.Length, rule.Id));
                }
            }
        }

        return Merge(spans);
    }

    /// <summary>
    /// <c>password = \"…\"</c> inside a string literal or a JSON answer defeats the rules' quote handling. Replacing the
    /// backslash with a space keeps every offset, so spans found in the result apply to the original text.
    /// </summary>
    private static string EscapedQuotesAsSpaces(string text)
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

    private bool AllowedContent(SecretRule rule, string line, string match, string secret)
    {
        if (_rules.Global is { } global
            && (global.Regexes.Any(r => r.Value is { } regex && Allowlist.SafeIsMatch(regex, secret))
                || global.StopWords.Any(w => secret.Contains(w, StringComparison.OrdinalIgnoreCase))))
        {
            return true;
        }

        return rule.Allowlists.Any(a => a.Allows(path: "", line, match, secret));
    }

    private static string LineAround(string text, int index)
    {
        var start = index == 0 ? 0 : text.LastIndexOf('\n', index - 1) + 1;
        var end = text.IndexOf('\n', index);
        return text[start..(end < 0 ? text.Length : end)];
    }

    /// <summary>Sorted, non-overlapping; where two rules overlap, the earlier span's rule names the merged one.</summary>
    private static List<SecretSpan> Merge(List<SecretSpan> spans)
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
