using Nectr.Engine.Diffs;

namespace Nectr.Engine.Findings;

/// <summary>Looks up new-file lines in a parsed patch; patches of a review are small enough for a linear scan.</summary>
internal static class PatchLines
{
    /// <summary>The hunk whose new range contains <paramref name="newLine"/>, or null.</summary>
    public static Hunk? HunkOf(FilePatch patch, int newLine) => patch.Hunks.FirstOrDefault(h => h.ContainsNewLine(newLine));

    /// <summary>The added or context line with this new-file number, or null when the patch does not show it.</summary>
    public static DiffLine? Find(FilePatch patch, int newLine)
    {
        if (HunkOf(patch, newLine) is not { } hunk)
        {
            return null;
        }

        foreach (var line in hunk.Lines)
        {
            if (line.Kind != DiffLineKind.Removed && line.NewLine == newLine)
            {
                return line;
            }
        }

        return null;
    }
}
