using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Engine.Context;

/// <summary>
/// The lines of Markdown text as GitHub reads them for references: fenced code blocks left out, code spans blanked
/// (so nothing either side joins up). "Fixes #12" inside code is an example, not a link, on GitHub as here.
/// </summary>
internal static class OutsideCode
{
    public static IEnumerable<string> Lines(string text)
    {
        var lines = text.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Replace('\r', ' ');
            var indent = 0;
            while (indent < line.Length && indent < 3 && line[indent] == ' ')
            {
                indent++;
            }

            if (Fences.Open(line[indent..]) is { } fence)
            {
                var close = Fences.FindClose(lines, i + 1, fence);
                if (close < 0)
                {
                    yield break; // an unclosed fence runs to the end of the text
                }

                i = close;
                continue;
            }

            yield return line.Contains('`', StringComparison.Ordinal) ? WithoutCodeSpans(line) : line;
        }
    }

    private static string WithoutCodeSpans(string line)
    {
        var output = new StringBuilder(line);
        for (var i = 0; i < line.Length;)
        {
            if (line[i] != '`')
            {
                i++;
                continue;
            }

            var end = CodeSpans.FindClose(line, i, out var run);
            if (end < 0)
            {
                i += run; // a run with no partner is literal backticks
                continue;
            }

            for (var j = i; j < end; j++)
            {
                output[j] = ' ';
            }

            i = end;
        }

        return output.ToString();
    }
}
