namespace Nectr.Engine.Diffs;

/// <summary>
/// Reads consecutive hunks starting at a <c>@@</c> line. Shared by the patch parser (strict: the text must be
/// hunks only) and the unified-diff parser (lenient: the hunks end where the next file's headers begin).
/// Works on offsets into the source string; the only allocations are one list per hunk.
/// </summary>
internal static class HunkReader
{
    /// <summary>Parses hunks from <paramref name="position"/> until a line that cannot belong to a hunk.</summary>
    /// <returns>The offset of the first line not consumed.</returns>
    public static int Read(string source, int position, int end, bool strict, List<Hunk> hunks, ref int additions, ref int deletions)
    {
        var lineNumber = 0;
        while (position < end)
        {
            var (lineEnd, next) = LineBounds(source, position, end);
            var line = source.AsSpan(position, lineEnd - position);
            lineNumber++;
            if (!line.StartsWith("@@"))
            {
                if (line.Length > 0 && line[0] == '\\')
                {
                    position = next; // "\ No newline at end of file" after the last hunk
                    continue;
                }

                if (strict && !(line.IsEmpty && next >= end))
                {
                    throw new PatchFormatException($"Line {lineNumber} of the patch is outside any hunk: it should start with '@@'.");
                }

                return position;
            }

            var header = ParseHeader(line, lineNumber);
            var lines = new List<DiffLine>(Math.Min(header.OldCount + header.NewCount, 4096));
            int oldLine = header.OldStart, newLine = header.NewStart;
            int oldLeft = header.OldCount, newLeft = header.NewCount;
            position = next;
            while ((oldLeft > 0 || newLeft > 0) && position < end)
            {
                (lineEnd, next) = LineBounds(source, position, end);
                var length = lineEnd - position;
                lineNumber++;
                var marker = length == 0 ? ' ' : source[position];
                var textStart = length == 0 ? position : position + 1;
                var textLength = length == 0 ? 0 : length - 1;
                switch (marker)
                {
                    case ' ':
                        // An empty line here is a context line whose leading space an editor or mail client ate.
                        lines.Add(new DiffLine(DiffLineKind.Context, oldLine++, newLine++, textStart, textLength));
                        oldLeft--;
                        newLeft--;
                        break;
                    case '+':
                        lines.Add(new DiffLine(DiffLineKind.Added, 0, newLine++, textStart, textLength));
                        newLeft--;
                        additions++;
                        break;
                    case '-':
                        lines.Add(new DiffLine(DiffLineKind.Removed, oldLine++, 0, textStart, textLength));
                        oldLeft--;
                        deletions++;
                        break;
                    case '\\':
                        break; // "\ No newline at end of file": not a line of either file
                    default:
                        if (strict)
                        {
                            throw new PatchFormatException($"Line {lineNumber} of the patch starts with '{marker}', but the hunk above expects {oldLeft} more old and {newLeft} more new line(s).");
                        }

                        oldLeft = newLeft = 0; // a truncated hunk: keep what was read
                        next = position;
                        break;
                }

                position = next;
            }

            if (strict && (oldLeft > 0 || newLeft > 0))
            {
                throw new PatchFormatException($"The patch ends inside a hunk: {oldLeft} old and {newLeft} new line(s) are missing.");
            }

            hunks.Add(new Hunk(header.OldStart, header.OldCount, header.NewStart, header.NewCount, header.Section, lines));
        }

        return position;
    }

    /// <summary>The end of the line's text (before \r\n or \n) and the start of the next line.</summary>
    internal static (int LineEnd, int Next) LineBounds(string source, int position, int end)
    {
        var newline = source.AsSpan(position, end - position).IndexOf('\n');
        if (newline < 0)
        {
            return (end > position && source[end - 1] == '\r' ? end - 1 : end, end);
        }

        var lineEnd = position + newline;
        return (lineEnd > position && source[lineEnd - 1] == '\r' ? lineEnd - 1 : lineEnd, lineEnd + 1);
    }

    private static (int OldStart, int OldCount, int NewStart, int NewCount, string Section) ParseHeader(ReadOnlySpan<char> line, int lineNumber)
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

        var section = line[(i + 2)..].Trim();
        return (oldStart, oldCount, newStart, newCount, section.IsEmpty ? "" : section.ToString());
    }

    private static int Number(ReadOnlySpan<char> line, ref int i, int lineNumber)
    {
        var start = i;
        var value = 0;
        while (i < line.Length && char.IsAsciiDigit(line[i]))
        {
            value = checked(value * 10 + (line[i] - '0'));
            i++;
        }

        return i == start ? throw Bad(lineNumber) : value;
    }

    private static void SkipSpaces(ReadOnlySpan<char> line, ref int i)
    {
        while (i < line.Length && line[i] == ' ')
        {
            i++;
        }
    }

    private static PatchFormatException Bad(int lineNumber) =>
        new($"Line {lineNumber} of the patch is not a hunk header of the form '@@ -a,b +c,d @@'.");
}
