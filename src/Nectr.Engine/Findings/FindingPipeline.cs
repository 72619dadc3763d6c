using System.Text;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>
/// Turns what a model reported into findings Nectr can post: the path resolved to a file of the diff, the line
/// moved onto the diff when that is certain, a suggestion kept only when it replaces exactly the commented lines,
/// every text cleaned by <see cref="OutputHygiene"/>, and a fingerprint. Whatever still cannot be placed is left
/// for <see cref="Anchoring.Place"/> to move into the summary.
/// </summary>
public static class FindingPipeline
{
    /// <summary>How far outside a hunk a model's line may be and still be moved onto it.</summary>
    internal const int SnapDistance = 3;

    private const int MaxTitle = 200;
    private const int MaxCategory = 60;
    private const int MaxBody = 8_000;
    private const int MaxPath = 400;

    public static IReadOnlyList<Finding> FromModel(
        IEnumerable<ModelFinding> findings, IReadOnlyDictionary<string, FilePatch> patches, string owner, string repo)
    {
        ArgumentNullException.ThrowIfNull(findings);
        ArgumentNullException.ThrowIfNull(patches);
        var result = new List<Finding>();
        foreach (var model in findings)
        {
            var path = PathResolver.Resolve(Limit(model.File, MaxPath), patches);
            var patch = patches.GetValueOrDefault(path);
            var (line, endLine, moved) = Place(model.Line, model.EndLine, patch);
            var finding = new Finding(
                RuleId(model.Category),
                path,
                line,
                endLine,
                model.Severity,
                OutputHygiene.Clean(OneLine(Limit(model.Category, MaxCategory)), owner, repo),
                OutputHygiene.Clean(OneLine(Limit(model.Title, MaxTitle)), owner, repo),
                OutputHygiene.Clean(Limit(model.Body, MaxBody), owner, repo),
                Suggestion(model, patch, line, endLine, moved));
            result.Add(finding with { Fingerprint = Fingerprints.Of(finding, patch) });
        }

        return Anchoring.Dedupe(result); // models repeat themselves, and merged calls overlap
    }

    /// <summary>
    /// A line inside a hunk stays. A line just outside exactly one hunk (models miscount by a line or two near hunk
    /// edges) moves to that hunk's nearest line; otherwise it stays where it is and ends up in the summary.
    /// </summary>
    internal static (int Line, int? EndLine, bool Moved) Place(int line, int? endLine, FilePatch? patch)
    {
        var end = endLine is { } e && e > line ? e : (int?)null;
        if (patch is null || line <= 0)
        {
            return (line, end, false);
        }

        var moved = false;
        if (!patch.IsCommentable(line))
        {
            var near = patch.Hunks.Where(h => h.NewCount > 0 && Distance(h, line) <= SnapDistance).Take(2).ToList();
            if (near.Count != 1)
            {
                return (line, end, false);
            }

            line = Math.Clamp(line, near[0].NewStart, near[0].NewStart + near[0].NewCount - 1);
            moved = true;
        }

        // GitHub needs both ends of a multi-line comment in one hunk; otherwise comment on the first line only.
        return (line, end is { } last && last > line && patch.IsCommentableRange(line, last) ? last : null, moved);
    }

    private static int Distance(Hunk hunk, int line)
    {
        var last = hunk.NewStart + hunk.NewCount - 1;
        return line < hunk.NewStart ? hunk.NewStart - line : line > last ? line - last : 0;
    }

    /// <summary>
    /// A suggestion replaces exactly the commented lines when committed, so it survives only if the comment covers the
    /// lines the model wrote it for: not moved, and the model's range not shortened.
    /// </summary>
    private static string? Suggestion(ModelFinding model, FilePatch? patch, int line, int? endLine, bool moved)
    {
        var sameRange = model.EndLine is null || model.EndLine == model.Line || model.EndLine == endLine;
        if (model.Suggestion is not { } suggestion || patch is null || moved || !sameRange || line <= 0)
        {
            return null;
        }

        var text = Suggestions.Normalize(suggestion);
        return Suggestions.IsSafeText(text) && Suggestions.FitsRange(patch, line, endLine ?? line) ? text : null;
    }

    /// <summary>"ai/" and the category as a slug: lower-case letters, digits and single hyphens, at most 40 characters.</summary>
    internal static string RuleId(string category)
    {
        var slug = new StringBuilder();
        foreach (var c in category.ToLowerInvariant())
        {
            if (char.IsAsciiLetterOrDigit(c))
            {
                slug.Append(c);
            }
            else if (slug.Length > 0 && slug[^1] != '-')
            {
                slug.Append('-');
            }

            if (slug.Length >= 40)
            {
                break;
            }
        }

        var text = slug.ToString().Trim('-');
        return "ai/" + (text.Length == 0 ? "general" : text);
    }

    /// <summary>Titles and categories sit inside one Markdown line; a newline there would start a new block.</summary>
    private static string OneLine(string text) => string.Join(' ', text.Split(['\r', '\n', '\u2028', '\u2029'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));

    private static string Limit(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var cut = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max; // never split a surrogate pair
        return text[..cut] + "…";
    }
}
