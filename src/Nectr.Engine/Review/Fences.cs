using System.Text;

namespace Nectr.Engine.Review;

/// <summary>
/// Fenced code blocks in model text. Only fences at column 0 count: an indented fence can belong to a list item,
/// and a list item ends at the first less indented line, so its "code" could render as text that was never cleaned.
/// Treating such a fence as text only over-cleans, which is safe.
/// </summary>
internal static class Fences
{
    public readonly record struct Fence(char Char, int Length);

    public static Fence? Open(string line)
    {
        if (line.Length < 3 || line[0] is not ('`' or '~'))
        {
            return null;
        }

        var c = line[0];
        var length = Run(line, 0, c);
        if (length < 3)
        {
            return null;
        }

        // CommonMark: the info string of a backtick fence may not contain a backtick.
        return c == '`' && line.IndexOf('`', length) >= 0 ? null : new Fence(c, length);
    }

    /// <summary>The index of the line that closes <paramref name="fence"/>, or -1 when it is never closed.</summary>
    public static int FindClose(string[] lines, int from, Fence fence)
    {
        for (var i = from; i < lines.Length; i++)
        {
            var line = lines[i];
            var indent = 0;
            while (indent < line.Length && indent < 4 && line[indent] == ' ')
            {
                indent++;
            }

            if (indent > 3)
            {
                continue;
            }

            var length = Run(line, indent, fence.Char);
            if (length >= fence.Length && line.AsSpan(indent + length).IsWhiteSpace())
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The opening line with an info string only when it is a plain language name. A <c>suggestion</c> block in
    /// model prose would be a committable change that bypassed the suggestion rules, so it becomes plain code.
    /// </summary>
    public static string SafeOpening(string line, Fence fence)
    {
        var info = line[fence.Length..].Trim();
        var plain = info.Length is > 0 and <= 30 && info.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '-' or '#' or '.' or '_');
        var keep = plain && !info.Equals("suggestion", StringComparison.OrdinalIgnoreCase);
        return new string(fence.Char, fence.Length) + (keep ? info : "");
    }

    /// <summary>Backslash-escapes the fence characters so the line renders them literally.</summary>
    public static string Escape(string line, Fence fence)
    {
        var text = new StringBuilder(line.Length + fence.Length);
        for (var i = 0; i < fence.Length; i++)
        {
            text.Append('\\').Append(fence.Char);
        }

        return text.Append(line, fence.Length, line.Length - fence.Length).ToString();
    }

    private static int Run(string line, int from, char c)
    {
        var i = from;
        while (i < line.Length && line[i] == c)
        {
            i++;
        }

        return i - from;
    }
}
