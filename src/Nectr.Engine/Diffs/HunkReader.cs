using System.Text;

namespace Nectr.Engine.Diffs;

/// <summary>
/// Reads consecutive hunks starting at a <c>@@</c> line. Shared by the patch parser (strict: the text must be
/// hunks only) and the unified-diff parser (lenient: the hunks end where the next file's headers begin).
/// Reads UTF-8 bytes and records each line as offsets, into the parse's <see cref="DiffLineSlab"/>; a hunk allocates
/// only itself and its section.
/// </summary>
internal static class HunkReader
{
    /// <summary>
    /// Parses hunks from the current line until a line that cannot belong to a hunk, which is left current.
    /// </summary>
    public static void Read(ref Utf8Lines lines, bool strict, List<Hunk> hunks, DiffLineSlab slab, ref int additions, ref int deletions)
    {
        var lineNumber = 0;
        while (!lines.AtEnd)
        {
            var line = lines.Current;
            lineNumber++;
            if (!line.StartsWith("@@"u8))
            {
                if (line.Length > 0 && line[0] == '\\')
                {
                    lines.MoveNext(); // "\ No newline at end of file" after the last hunk
                    continue;
                }

                if (strict && !(line.IsEmpty && lines.IsLast))
                {
                    throw new PatchFormatException($"Line {lineNumber} of the patch is outside any hunk: it should start with '@@'.");
                }

                return;
            }

            var header = ParseHeader(line, lineNumber);
            // Every line read below lowers oldLeft or newLeft (or both), so the hunk has at most old + new lines, and each
            // line takes at least one byte.
            slab.BeginHunk((int)Math.Min((long)header.OldCount + header.NewCount, lines.Following.Length));
            int oldLine = header.OldStart, newLine = header.NewStart;
            int oldLeft = header.OldCount, newLeft = header.NewCount;
            lines.MoveNext();
            while ((oldLeft > 0 || newLeft > 0) && !lines.AtEnd)
            {
                line = lines.Current;
                lineNumber++;
                var marker = line.IsEmpty ? (byte)' ' : line[0];
                var textStart = line.IsEmpty ? lines.CharStart : lines.CharStart + 1; // the marker is one ASCII byte
                switch (marker)
                {
                    case (byte)' ':
                        // An empty line here is a context line whose leading space an editor or mail client ate.
                        slab.Add(new DiffLine(DiffLineKind.Context, oldLine++, newLine++, textStart, line.IsEmpty ? 0 : lines.CharLengthFrom(1)));
                        oldLeft--;
                        newLeft--;
                        break;
                    case (byte)'+':
                        slab.Add(new DiffLine(DiffLineKind.Added, 0, newLine++, textStart, lines.CharLengthFrom(1)));
                        newLeft--;
                        additions++;
                        break;
                    case (byte)'-':
                        slab.Add(new DiffLine(DiffLineKind.Removed, oldLine++, 0, textStart, lines.CharLengthFrom(1)));
                        oldLeft--;
                        deletions++;
                        break;
                    case (byte)'\\':
                        break; // "\ No newline at end of file": not a line of either file
                    default:
                        if (strict)
                        {
                            throw new PatchFormatException(
                                $"Line {lineNumber} of the patch starts with '{FirstCharacter(line)}', but the hunk above expects {oldLeft} more old and {newLeft} more new line(s).");
                        }

                        lineNumber--;
                        oldLeft = newLeft = 0; // a truncated hunk: keep what was read; this line is read again above
                        continue;
                }

                lines.MoveNext();
            }

            if (strict && (oldLeft > 0 || newLeft > 0))
            {
                throw new PatchFormatException($"The patch ends inside a hunk: {oldLeft} old and {newLeft} new line(s) are missing.");
            }

            hunks.Add(new Hunk(header.OldStart, header.OldCount, header.NewStart, header.NewCount, header.Section, slab.EndHunk()));
        }
    }

    private static (int OldStart, int OldCount, int NewStart, int NewCount, string Section) ParseHeader(ReadOnlySpan<byte> line, int lineNumber)
    {
        // @@ -oldStart[,oldCount] +newStart[,newCount] @@[ section]
        var i = 2;
        SkipSpaces(line, ref i);
        if (i >= line.Length || line[i] != '-')
        {
            throw Bad(lineNumber);
        }

        i++;
        var oldStart = Number(line, ref i, lineNumber);
        var oldCount = 1;
        if (i < line.Length && line[i] == ',')
        {
            i++;
            oldCount = Number(line, ref i, lineNumber);
        }

        SkipSpaces(line, ref i);
        if (i >= line.Length || line[i] != '+')
        {
            throw Bad(lineNumber);
        }

        i++;
        var newStart = Number(line, ref i, lineNumber);
        var newCount = 1;
        if (i < line.Length && line[i] == ',')
        {
            i++;
            newCount = Number(line, ref i, lineNumber);
        }

        SkipSpaces(line, ref i);
        if (i + 1 >= line.Length || line[i] != '@' || line[i + 1] != '@')
        {
            throw Bad(lineNumber);
        }

        // ASCII blanks are cut before decoding, so a section decodes to one string rather than one and its trimmed copy.
        var section = line[(i + 2)..].Trim(" \t\r\n\v\f"u8);
        return (oldStart, oldCount, newStart, newCount, section.IsEmpty ? "" : Encoding.UTF8.GetString(section).Trim());
    }

    private static int Number(ReadOnlySpan<byte> line, ref int i, int lineNumber)
    {
        var start = i;
        var value = 0;
        while (i < line.Length && char.IsAsciiDigit((char)line[i]))
        {
            value = checked(value * 10 + (line[i] - '0'));
            i++;
        }

        return i == start ? throw Bad(lineNumber) : value;
    }

    private static void SkipSpaces(ReadOnlySpan<byte> line, ref int i)
    {
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }
    }

    /// <summary>The first character of a non-empty line, for messages (a UTF-8 sequence is at most 4 bytes).</summary>
    private static char FirstCharacter(ReadOnlySpan<byte> line) => Encoding.UTF8.GetString(line[..Math.Min(line.Length, 4)])[0];

    private static PatchFormatException Bad(int lineNumber) =>
        new($"Line {lineNumber} of the patch is not a hunk header of the form '@@ -a,b +c,d @@'.");
}
