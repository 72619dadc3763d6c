using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>
/// Places findings on the diff. GitHub rejects a whole review if one comment targets a line outside the diff,
/// so every inline comment is checked against the parsed hunks first; what cannot be placed goes to the body.
/// </summary>
internal static class Anchoring
{
    /// <summary>Word-set similarity above which two titles in one category describe the same issue.</summary>
    private const double SameTitle = 0.5;

    /// <summary>
    /// Splits findings into inline comments and the rest. Findings less severe than the repository's inline
    /// threshold, findings on lines GitHub cannot comment on, and those beyond the inline-comment cap go to the body.
    /// </summary>
    public static (List<(Finding Finding, InlineComment Comment)> Inline, List<Finding> Unanchored) Place(
        IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, FilePatch> patches, ReviewSettings settings)
    {
        var inline = new List<(Finding, InlineComment)>();
        var unanchored = new List<Finding>();
        // Highest severity first, so the cap drops nits rather than leaked keys.
        foreach (var finding in findings.OrderBy(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
        {
            var wanted = finding.Severity <= settings.InlineThreshold && inline.Count < settings.MaxInlineComments;
            var comment = wanted && patches.TryGetValue(finding.File, out var patch) ? Anchor(finding, patch) : null;
            if (comment is not null)
            {
                inline.Add((finding, comment));
            }
            else
            {
                unanchored.Add(finding);
            }
        }

        return (inline, unanchored);
    }

    private static InlineComment? Anchor(Finding finding, FilePatch patch)
    {
        if (finding.EndLine is { } end && end > finding.Line && patch.IsCommentableRange(finding.Line, end))
        {
            return new InlineComment(finding.File, end, finding.Line, Markdown.InlineBody(finding));
        }

        return patch.IsCommentable(finding.Line) ? new InlineComment(finding.File, finding.Line, null, Markdown.InlineBody(finding)) : null;
    }

    /// <summary>
    /// One finding per issue: same file, overlapping lines (or one line apart) and the same rule, or the same
    /// category with a similar title. The more severe one is kept; on a tie a built-in check beats a model, whose
    /// text is less certain. Two built-in findings merge only on the same line: a check that reports two adjacent
    /// leaked keys found two keys.
    /// </summary>
    public static List<Finding> Dedupe(IEnumerable<Finding> findings)
    {
        var kept = new List<Finding>();
        foreach (var finding in findings)
        {
            var same = kept.FindIndex(k => SameIssue(k, finding));
            if (same < 0)
            {
                kept.Add(finding);
            }
            else if (Beats(finding, kept[same]))
            {
                kept[same] = finding;
            }
        }

        return kept;
    }

    private static bool SameIssue(Finding a, Finding b)
    {
        if (!string.Equals(a.File, b.File, StringComparison.Ordinal))
        {
            return false;
        }

        if (!IsModel(a) && !IsModel(b))
        {
            return a.Line == b.Line && string.Equals(a.RuleId, b.RuleId, StringComparison.Ordinal);
        }

        var overlap = a.Line <= (b.EndLine ?? b.Line) + 1 && b.Line <= (a.EndLine ?? a.Line) + 1;
        return overlap && (string.Equals(a.RuleId, b.RuleId, StringComparison.Ordinal)
            || (string.Equals(a.Category, b.Category, StringComparison.OrdinalIgnoreCase) && Similarity(a.Title, b.Title) >= SameTitle));
    }

    private static bool Beats(Finding challenger, Finding holder) =>
        challenger.Severity < holder.Severity || (challenger.Severity == holder.Severity && IsModel(holder) && !IsModel(challenger));

    private static bool IsModel(Finding finding) => finding.RuleId.StartsWith("ai/", StringComparison.Ordinal);

    /// <summary>Jaccard similarity of the titles' word sets.</summary>
    internal static double Similarity(string a, string b)
    {
        var left = Fingerprints.Words(a).ToHashSet(StringComparer.Ordinal);
        var right = Fingerprints.Words(b).ToHashSet(StringComparer.Ordinal);
        if (left.Count == 0 && right.Count == 0)
        {
            return 1;
        }

        var union = left.Count + right.Count - left.Count(right.Contains);
        return (double)left.Count(right.Contains) / union;
    }
}
