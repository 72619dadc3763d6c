using System.Text.RegularExpressions;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// The fake's own reading of a patch: which lines a review comment may target, per hunk, the way GitHub decides
/// it. Deliberately independent of Nectr's parser, so the fake can catch that parser's mistakes.
/// </summary>
internal static partial class PatchLines
{
    /// <summary>For each hunk, the right-side (new) and left-side (old) line numbers it shows.</summary>
    public static List<(HashSet<int> Right, HashSet<int> Left)> Hunks(string? patch)
    {
        var hunks = new List<(HashSet<int>, HashSet<int>)>();
        if (patch is null)
        {
            return hunks;
        }

        int oldLine = 0, newLine = 0;
        (HashSet<int> Right, HashSet<int> Left)? current = null;
        foreach (var line in patch.Split('\n'))
        {
            var header = HunkHeader().Match(line);
            if (header.Success)
            {
                oldLine = int.Parse(header.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
                newLine = int.Parse(header.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture);
                current = ([], []);
                hunks.Add(current.Value);
                continue;
            }

            if (current is null || line.StartsWith('\\'))
            {
                continue;
            }

            switch (line.Length == 0 ? ' ' : line[0])
            {
                case '+': current.Value.Right.Add(newLine++); break;
                case '-': current.Value.Left.Add(oldLine++); break;
                default: current.Value.Right.Add(newLine++); current.Value.Left.Add(oldLine++); break;
            }
        }

        return hunks;
    }

    public static (int Additions, int Deletions) Count(string? patch)
    {
        if (patch is null)
        {
            return (0, 0);
        }

        var lines = patch.Split('\n').Where(l => !l.StartsWith("@@", StringComparison.Ordinal)).ToList();
        return (lines.Count(l => l.StartsWith('+')), lines.Count(l => l.StartsWith('-')));
    }

    [GeneratedRegex(@"^@@ -(\d+)(?:,\d+)? \+(\d+)(?:,\d+)? @@")]
    private static partial Regex HunkHeader();
}
