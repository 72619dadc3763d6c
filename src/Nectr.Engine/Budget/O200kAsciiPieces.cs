namespace Nectr.Engine.Budget;

/// <summary>
/// The pieces o200k's pre-tokenizer cuts an ASCII text into, found by hand instead of by its regex (which took 60 % of
/// a count). Each branch below is one alternative of the pattern, read for ASCII only, where its Unicode classes reduce
/// to: letters <c>A-Z</c> (upper) and <c>a-z</c> (lower), digits <c>0-9</c>, white space <c>\t \n \v \f \r</c> and
/// space, and everything else "other":
/// <code>
/// [^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?
/// |\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+
/// </code>
/// Backtracking never changes these matches in ASCII (the upper and lower classes are disjoint, and a prefix character
/// is never a letter), except where the white-space branches say so. <c>O200kPieceTests</c> compares the pieces with
/// the tokenizer's own pre-tokenizer on every ASCII character and on real patches.
/// </summary>
internal static class O200kAsciiPieces
{
    private const byte Other = 0, Upper = 1, Lower = 2, Digit = 3, Space = 4, Newline = 5;

    private static readonly byte[] Classes = BuildClasses();

    /// <summary>The length of the piece that starts at <paramref name="start"/>; the text must be ASCII.</summary>
    public static int Length(ReadOnlySpan<char> text, int start)
    {
        var c = Class(text, start);
        if (c == Digit)
        {
            var end = start + 1; // \p{N}{1,3}
            while (end < text.Length && end - start < 3 && Class(text, end) == Digit)
            {
                end++;
            }

            return end - start;
        }

        if (c != Newline)
        {
            // The two letter branches, with the optional prefix: any character but \r, \n, a letter or a digit.
            var letters = c is Upper or Lower ? start : start + 1;
            var upperEnd = Run(text, letters, Upper);
            var lowerEnd = Run(text, upperEnd, Lower);
            if (lowerEnd > upperEnd || upperEnd > letters)
            {
                return Contraction(text, lowerEnd) - start;
            }
        }

        if (c == Other || (c == Space && text[start] == ' ' && Class(text, start + 1) == Other))
        {
            // " ?[^\s\p{L}\p{N}]+[\r\n/]*"
            var end = Run(text, text[start] == ' ' ? start + 1 : start, Other);
            while (end < text.Length && text[end] is '\r' or '\n' or '/')
            {
                end++;
            }

            return end - start;
        }

        // White space (c is Space or Newline). The run W of white space from here decides the last three branches.
        var runEnd = start;
        var lastNewline = -1;
        while (runEnd < text.Length && Class(text, runEnd) is Space or Newline)
        {
            if (Class(text, runEnd) == Newline)
            {
                lastNewline = runEnd;
            }

            runEnd++;
        }

        if (lastNewline >= 0)
        {
            return lastNewline + 1 - start; // "\s*[\r\n]+": \s* gives back what follows the last line break
        }

        if (runEnd == text.Length || runEnd - start == 1)
        {
            return runEnd - start; // "\s+(?!\S)" at the end of the text, or "\s+" for a single character
        }

        return runEnd - 1 - start; // "\s+(?!\S)": all but the last, which is followed by a non-space
    }

    private static byte Class(ReadOnlySpan<char> text, int at) => at < text.Length ? Classes[text[at]] : byte.MaxValue;

    private static int Run(ReadOnlySpan<char> text, int from, byte kind)
    {
        while (from < text.Length && Classes[text[from]] == kind)
        {
            from++;
        }

        return from;
    }

    /// <summary>"(?i:'s|'t|'re|'ve|'m|'ll|'d)?" at <paramref name="at"/>: where the piece ends.</summary>
    private static int Contraction(ReadOnlySpan<char> text, int at)
    {
        if (at + 1 >= text.Length || text[at] != '\'')
        {
            return at;
        }

        var first = char.ToLowerInvariant(text[at + 1]);
        if (first is 's' or 't' or 'm' or 'd')
        {
            return at + 2;
        }

        var second = at + 2 < text.Length ? char.ToLowerInvariant(text[at + 2]) : '\0';
        return (first, second) is ('r', 'e') or ('v', 'e') or ('l', 'l') ? at + 3 : at;
    }

    private static byte[] BuildClasses()
    {
        var classes = new byte[128];
        for (var c = 0; c < 128; c++)
        {
            classes[c] = (char)c switch
            {
                >= 'A' and <= 'Z' => Upper,
                >= 'a' and <= 'z' => Lower,
                >= '0' and <= '9' => Digit,
                '\r' or '\n' => Newline,
                '\t' or '\v' or '\f' or ' ' => Space,
                _ => Other,
            };
        }

        return classes;
    }
}
