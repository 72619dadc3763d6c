namespace Nectr.Engine.Diffs;

public enum DiffFileStatus { Added, Deleted, Modified, Renamed, Copied }

/// <summary>One file of a multi-file diff. <see cref="Patch"/> is null for binaries and mode-only changes.</summary>
public sealed record DiffFile(string OldPath, string NewPath, DiffFileStatus Status, bool IsBinary, FilePatch? Patch)
{
    /// <summary>Where this file's hunks are in the source text (UTF-16 offsets): what GitHub calls the file's <c>patch</c>.</summary>
    public Range HunksRange { get; init; }
}

/// <summary>
/// Parses <c>git diff</c>, <c>git log -p</c> and <c>git format-patch</c> output (and plain <c>diff -u</c>): git
/// extended headers, renames and copies, binaries, quoted paths. Commit headers and messages between diffs are
/// skipped. The parser reads UTF-8 bytes; every file's patch points into the one source text, nothing is copied per line.
/// </summary>
public static class UnifiedDiffParser
{
    /// <summary>Parses a diff already in memory as a string (encoded to UTF-8 once, into a pooled buffer).</summary>
    public static IReadOnlyList<DiffFile> Parse(string diff)
    {
        ArgumentNullException.ThrowIfNull(diff);
        return DiffSource.ParseString(diff, Parse);
    }

    /// <summary>
    /// Parses a diff as the bytes git wrote. The patches keep <paramref name="utf8"/> and decode it only if their
    /// <see cref="FilePatch.Text"/> is asked for.
    /// </summary>
    public static IReadOnlyList<DiffFile> Parse(ReadOnlyMemory<byte> utf8) => Parse(utf8.Span, new DiffSource(utf8));

    private static List<DiffFile> Parse(ReadOnlySpan<byte> diff, DiffSource source)
    {
        var files = new List<DiffFile>();
        var slab = new DiffLineSlab(diff.Length);
        var current = default(DiffFileBuilder);
        var lines = new Utf8Lines(diff);
        while (!lines.AtEnd)
        {
            var line = lines.Current;
            if (line.StartsWith("diff --git "u8))
            {
                Flush(files, ref current);
                current = DiffFileBuilder.FromGitHeader(line["diff --git ".Length..]);
            }
            else if (line.StartsWith("@@ "u8) && current is not null)
            {
                var hunks = new List<Hunk>();
                int additions = 0, deletions = 0;
                var start = lines.CharStart;
                HunkReader.Read(ref lines, strict: false, hunks, slab, ref additions, ref deletions);
                current.Patch = new FilePatch(source, hunks, additions, deletions);
                current.HunksRange = start..lines.CharStart;
                continue; // the line that ended the hunks is current and not yet read
            }
            else if (line.StartsWith("--- "u8) && lines.Following.StartsWith("+++ "u8))
            {
                if (current is null || current.Patch is not null || current.SawFileLines)
                {
                    Flush(files, ref current); // a plain `diff -u` file, with no git header
                    current = new DiffFileBuilder();
                }

                current.SawFileLines = true;
                current.FromLine(line[4..], isOld: true);
                lines.MoveNext();
                current.FromLine(lines.Current[4..], isOld: false);
            }
            else if (current is not null && current.Patch is null)
            {
                current.Extended(line);
            }

            lines.MoveNext();
        }

        Flush(files, ref current);
        return files;
    }

    private static void Flush(List<DiffFile> files, ref DiffFileBuilder? current)
    {
        if (current is not null)
        {
            files.Add(current.Build());
        }

        current = null;
    }
}
