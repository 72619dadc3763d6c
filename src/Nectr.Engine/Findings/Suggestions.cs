using Nectr.Engine.Diffs;

namespace Nectr.Engine.Findings;

/// <summary>
/// When a <c>```suggestion</c> block may be posted. GitHub's "Commit suggestion" replaces exactly the commented
/// lines, so a suggestion is only right when the comment sits on the lines the model meant; and its text goes into
/// a fence unescaped, so it must not be able to close that fence or read as a bot command.
/// </summary>
internal static class Suggestions
{
    /// <summary>Whether the text can sit inside a suggestion fence without escaping it or triggering a bot.</summary>
    public static bool IsSafeText(string suggestion)
    {
        if (suggestion.Contains("```", StringComparison.Ordinal) || suggestion.Contains("~~~", StringComparison.Ordinal)
            || suggestion.Contains(Review.ReviewMarker.Tag, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        foreach (var line in suggestion.Split('\n'))
        {
            var text = line.AsSpan().TrimStart();
            if (text.Length > 1 && text[0] == '/' && char.IsAsciiLetter(text[1]))
            {
                return false; // a leading /command
            }
        }

        return true;
    }

    /// <summary>Whether lines <paramref name="line"/>..<paramref name="endLine"/> are all added or context lines of one hunk.</summary>
    public static bool FitsRange(FilePatch patch, int line, int endLine)
    {
        if (!patch.IsCommentableRange(line, endLine) || PatchLines.HunkOf(patch, line) is not { } hunk)
        {
            return false;
        }

        var shown = hunk.Lines.Where(l => l.Kind != DiffLineKind.Removed && l.NewLine >= line && l.NewLine <= endLine).Select(l => l.NewLine).ToHashSet();
        return shown.Count == endLine - line + 1;
    }

    /// <summary>The text as the fence gets it: no carriage returns or other control characters besides tabs.</summary>
    public static string Normalize(string suggestion) =>
        new(suggestion.ReplaceLineEndings("\n").Where(c => c is '\n' or '\t' || !char.IsControl(c)).ToArray());
}
