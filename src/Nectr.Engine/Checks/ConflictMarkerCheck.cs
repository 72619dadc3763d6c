using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Checks;

/// <summary>
/// Merge-conflict markers left in added lines. A complete block (<c>&lt;&lt;&lt;&lt;&lt;&lt;&lt;</c> … <c>&gt;&gt;&gt;&gt;&gt;&gt;&gt;</c>) inside one hunk
/// is one finding spanning the block; stray markers are one finding each.
/// </summary>
internal static class ConflictMarkerCheck
{
    public const string RuleId = "conflict-marker";

    public static IEnumerable<Finding> Scan(string path, FilePatch patch)
    {
        foreach (var hunk in patch.Hunks)
        {
            int? open = null;
            var pending = new List<int>();
            foreach (var line in hunk.Lines)
            {
                if (line.Kind != DiffLineKind.Added)
                {
                    continue;
                }

                var kind = Classify(patch.LineSpan(line));
                switch (kind)
                {
                    case Marker.Open:
                        foreach (var stray in Flush(pending, open))
                        {
                            yield return Single(path, stray);
                        }

                        open = line.NewLine;
                        break;
                    case Marker.Middle or Marker.Base when open is not null:
                        pending.Add(line.NewLine); // a lone "=======" outside a block is more likely a heading underline
                        break;
                    case Marker.Close when open is not null:
                        yield return Block(path, open.Value, line.NewLine);
                        open = null;
                        pending.Clear();
                        break;
                    case Marker.Close:
                        yield return Single(path, line.NewLine);
                        break;
                    default:
                        break;
                }
            }

            foreach (var stray in Flush(pending, open))
            {
                yield return Single(path, stray);
            }
        }
    }

    private static List<int> Flush(List<int> pending, int? open)
    {
        var lines = new List<int>(pending);
        if (open is { } start)
        {
            lines.Insert(0, start);
        }

        pending.Clear();
        return lines;
    }

    private enum Marker { None, Open, Base, Middle, Close }

    private static Marker Classify(ReadOnlySpan<char> text)
    {
        if (text.StartsWith("<<<<<<<") && (text.Length == 7 || text[7] == ' '))
        {
            return Marker.Open;
        }

        if (text.StartsWith(">>>>>>>") && (text.Length == 7 || text[7] == ' '))
        {
            return Marker.Close;
        }

        if (text.StartsWith("|||||||") && (text.Length == 7 || text[7] == ' '))
        {
            return Marker.Base;
        }

        return text.SequenceEqual("=======") ? Marker.Middle : Marker.None;
    }

    private static Finding Block(string path, int start, int end) => new(
        RuleId, path, start, end, Severity.High, "correctness",
        "Unresolved merge conflict",
        $"Lines {start}–{end} are a merge-conflict block: both sides of the conflict were committed along with the `<<<<<<<`, `=======` and `>>>>>>>` markers. Resolve the conflict and remove the markers.",
        null);

    private static Finding Single(string path, int line) => new(
        RuleId, path, line, null, Severity.High, "correctness",
        "Merge-conflict marker left in the file",
        "This added line is a merge-conflict marker. Resolve the conflict and remove the marker.",
        null);
}
