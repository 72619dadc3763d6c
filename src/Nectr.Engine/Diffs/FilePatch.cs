namespace Nectr.Engine.Diffs;

/// <summary>The hunks of one file's patch, with the line map review comments are checked against.</summary>
public sealed class FilePatch
{
    private readonly DiffSource _source;

    internal FilePatch(DiffSource source, List<Hunk> hunks, int additions, int deletions)
    {
        _source = source;
        Hunks = hunks;
        Additions = additions;
        Deletions = deletions;
    }

    /// <summary>
    /// The source text that <see cref="DiffLine.Start"/> offsets point into (for a multi-file diff, all of it): the
    /// string that was parsed, or the parsed UTF-8 bytes decoded on first use.
    /// </summary>
    public string Text => _source.Text;

    public IReadOnlyList<Hunk> Hunks { get; }

    public int Additions { get; }

    public int Deletions { get; }

    public string LineText(DiffLine line) => Text.Substring(line.Start, line.Length);

    public ReadOnlySpan<char> LineSpan(DiffLine line) => Text.AsSpan(line.Start, line.Length);

    /// <summary>Whether a review comment may target this line of the new file: GitHub accepts added and context lines of a hunk.</summary>
    public bool IsCommentable(int newLine) => HunkOf(newLine) is not null;

    /// <summary>Whether a multi-line comment may span these lines: GitHub needs both ends in the same hunk.</summary>
    public bool IsCommentableRange(int startLine, int endLine) =>
        startLine <= endLine && HunkOf(startLine) is { } hunk && hunk.ContainsNewLine(endLine);

    public IEnumerable<DiffLine> AddedLines()
    {
        foreach (var hunk in Hunks)
        {
            foreach (var line in hunk.Lines)
            {
                if (line.Kind == DiffLineKind.Added)
                {
                    yield return line;
                }
            }
        }
    }

    private Hunk? HunkOf(int newLine)
    {
        // Hunks come in file order, so a binary search finds the last hunk starting at or before the line.
        int lo = 0, hi = Hunks.Count - 1, found = -1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            if (Hunks[mid].NewStart <= newLine)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        for (var i = found; i >= 0 && i >= found - 1; i--)
        {
            if (Hunks[i].ContainsNewLine(newLine))
            {
                return Hunks[i];
            }
        }

        return null;
    }
}
