namespace Nectr.Engine.Diffs;

public enum DiffLineKind { Context, Added, Removed }

/// <summary>
/// One line of a hunk. <see cref="OldLine"/> is 0 for added lines and <see cref="NewLine"/> is 0 for removed ones.
/// <see cref="Start"/> and <see cref="Length"/> locate the line's text (without its +/-/space prefix and line end)
/// inside <see cref="FilePatch.Text"/>, in UTF-16 code units, so parsing allocates no string per line and rendering
/// slices the text it already holds (<see cref="FilePatch.LineSpan"/>). The parser reads UTF-8 bytes; for ASCII the
/// two offsets agree, and lines with other bytes are counted as they decode (an invalid byte is one U+FFFD).
/// </summary>
public readonly record struct DiffLine(DiffLineKind Kind, int OldLine, int NewLine, int Start, int Length);

/// <summary>One <c>@@ -a,b +c,d @@</c> block of a patch.</summary>
public sealed class Hunk
{
    internal Hunk(int oldStart, int oldCount, int newStart, int newCount, string section, ArraySegment<DiffLine> lines)
    {
        OldStart = oldStart;
        OldCount = oldCount;
        NewStart = newStart;
        NewCount = newCount;
        Section = section;
        Lines = lines;
    }

    public int OldStart { get; }
    public int OldCount { get; }
    public int NewStart { get; }
    public int NewCount { get; }

    /// <summary>The text after the closing <c>@@</c> (git's function context), possibly empty.</summary>
    public string Section { get; }

    public IReadOnlyList<DiffLine> Lines { get; }

    /// <summary>Every new-file line from NewStart to NewStart+NewCount-1 appears in the hunk (as context or added).</summary>
    public bool ContainsNewLine(int line) => NewCount > 0 && line >= NewStart && line < NewStart + NewCount;
}

/// <summary>A patch text is not a well-formed unified diff.</summary>
public sealed class PatchFormatException(string message) : FormatException(message);
