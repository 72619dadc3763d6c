using System.Buffers;

namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// The parts of a text a rule's regex must see: around each occurrence of one of its keywords, as far as the rule's
/// <see cref="KeywordReach"/> allows, merged where they touch, plus one character before and two after.
/// <para>
/// Why a scan of these windows finds exactly the matches, in the same order, that one scan of the whole text finds:
/// every match of the rule contains a keyword occurrence and lies within that occurrence's reach, so it lies inside
/// one merged window's core; within the core the window holds the same characters as the text. The margin characters
/// make every zero-width assertion read the same characters in both: <c>\b</c> at the core's first position reads the
/// character before it; a non-multiline <c>^</c> or <c>$</c> is true at a window's edges but false there in the text,
/// and an edge is a margin position that no match can reach (a match that started there or ran past the core would
/// exceed the reach). So the successful ways to match at any position of a core are the same in window and text, the
/// regex picks the same one, and a scan entering a core finds the same sequence of matches. Rules whose reach is
/// unknown, and every rule when <see cref="RegexOnlyCaseFolds"/> occur, are scanned over the whole text.
/// </para>
/// </summary>
internal static class KeywordWindows
{
    /// <summary>
    /// Characters .NET's case-insensitive regex matching (culture-invariant) treats as a case form of a keyword
    /// character while <see cref="StringComparison.OrdinalIgnoreCase"/>, which finds the keywords, does not (the Kelvin
    /// sign matches <c>(?i)k</c>). A text holding one could contain a match whose keyword the search misses, so it is
    /// scanned whole. <c>SecretWindowDifferentialTests</c> derives this set from the regex engine and checks it.
    /// </summary>
    public static SearchValues<char> RegexOnlyCaseFolds { get; } = SearchValues.Create("\u212A\u0130\u0131\u017F");

    /// <summary>
    /// The windows as (start, length), in text order. <paramref name="hits"/> are the start positions of the rule's
    /// keyword occurrences, sorted.
    /// </summary>
    public static List<(int Start, int Length)> For(string text, List<int> hits, KeywordReach reach, LineStarts lines)
    {
        var windows = new List<(int Start, int Length)>();
        int coreStart = -1, coreEnd = -1;
        foreach (var hit in hits)
        {
            var (start, end) = Core(text, hit, reach, lines);
            if (coreStart >= 0 && start <= coreEnd)
            {
                coreEnd = Math.Max(coreEnd, end);
                continue;
            }

            if (coreStart >= 0)
            {
                windows.Add(WithMargins(text, coreStart, coreEnd));
            }

            (coreStart, coreEnd) = (start, end);
        }

        if (coreStart >= 0)
        {
            windows.Add(WithMargins(text, coreStart, coreEnd));
        }

        return windows;
    }

    /// <summary>[start, end) that every match containing the keyword occurrence at <paramref name="hit"/> lies in.</summary>
    private static (int Start, int End) Core(string text, int hit, KeywordReach reach, LineStarts lines)
    {
        var start = 0;
        var end = text.Length;
        if (reach.BeforeLines is { } linesBefore)
        {
            start = lines.StartOf(lines.LineOf(hit) - linesBefore);
        }

        if (reach.BeforeChars is { } charsBefore)
        {
            start = Math.Max(start, hit - charsBefore);
        }

        if (reach.AfterLines is { } linesAfter)
        {
            end = lines.EndOf(lines.LineOf(hit) + linesAfter);
        }

        if (reach.AfterChars is { } charsAfter)
        {
            end = Math.Min(end, hit + charsAfter);
        }

        return (Math.Max(0, start), Math.Min(text.Length, end));
    }

    private static (int Start, int Length) WithMargins(string text, int coreStart, int coreEnd)
    {
        var start = Math.Max(0, coreStart - 1);
        var end = Math.Min(text.Length, coreEnd + 2);
        return (start, end - start);
    }
}

/// <summary>Where each line of a text starts, found once per text and only if some rule runs on windows.</summary>
internal sealed class LineStarts(string text)
{
    private int[]? _starts;

    private int[] Starts => _starts ??= Find(text);

    public int LineOf(int position)
    {
        var i = Array.BinarySearch(Starts, position);
        return i >= 0 ? i : ~i - 1;
    }

    /// <summary>The first character of line <paramref name="line"/> (clamped to the text).</summary>
    public int StartOf(int line) => line <= 0 ? 0 : line >= Starts.Length ? text.Length : Starts[line];

    /// <summary>The line break that ends line <paramref name="line"/>, or the text's end (clamped).</summary>
    public int EndOf(int line) => line < 0 ? 0 : line + 1 >= Starts.Length ? text.Length : Starts[line + 1] - 1;

    private static int[] Find(string text)
    {
        var starts = new List<int> { 0 };
        var span = text.AsSpan();
        for (var at = span.IndexOf('\n'); at >= 0; at = span[(at + 1)..].IndexOf('\n') is var next && next >= 0 ? at + 1 + next : -1)
        {
            starts.Add(at + 1);
        }

        return [.. starts];
    }
}
