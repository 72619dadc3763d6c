using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>
/// Places findings on the diff. GitHub rejects a whole review if one comment targets a line outside the diff,
/// so every inline comment is checked against the parsed hunks first; what cannot be placed goes to the body.
/// </summary>
internal static class Anchoring
{
    public static (List<(Finding Finding, InlineComment Comment)> Inline, List<Finding> Unanchored) Place(
        IReadOnlyList<Finding> findings, IReadOnlyDictionary<string, FilePatch> patches, int maxInline)
    {
        var inline = new List<(Finding, InlineComment)>();
        var unanchored = new List<Finding>();
        // Highest severity first, so the cap drops nits rather than leaked keys.
        foreach (var finding in findings.OrderBy(f => f.Severity).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
        {
            var comment = patches.TryGetValue(finding.File, out var patch) ? Anchor(finding, patch) : null;
            if (comment is not null && inline.Count < maxInline)
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

    /// <summary>The same rule on the same line of the same file is one finding.</summary>
    public static List<Finding> Dedupe(IEnumerable<Finding> findings) =>
        findings.DistinctBy(f => (f.File, f.Line, f.RuleId)).ToList();
}
