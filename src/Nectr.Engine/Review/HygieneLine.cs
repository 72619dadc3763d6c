using System.Text;

namespace Nectr.Engine.Review;

/// <summary>
/// Cleans one line of text outside fenced code, left to right as a Markdown inline parser reads it. Code spans stay
/// on one line here (a blank line or a table cell can end them on GitHub, which would expose uncleaned text); brackets
/// are escaped unless they are a kept link, so removing something can never join two halves into a new link.
/// </summary>
internal sealed class HygieneLine(string allowedPrefix)
{
    private const int MaxDepth = 2;
    private const int MaxLinkText = 500;
    private const int MaxDestination = 2000;

    public string Clean(string line, int depth)
    {
        var output = new StringBuilder(line.Length + 8);
        var i = 0;
        while (i < line.Length)
        {
            var c = line[i];
            switch (c)
            {
                // An escaped punctuation character renders literally; "\@" would still render a mention.
                case '\\' when i + 1 < line.Length && IsEscapable(line[i + 1]):
                    output.Append(c).Append(line[i + 1]);
                    i += 2;
                    break;
                case '`':
                    i = CodeSpan(line, i, output);
                    break;
                case '!' when i + 1 < line.Length && line[i + 1] == '[' && depth < MaxDepth && Link.TryParse(line, i + 1, MaxLinkText, MaxDestination) is { } image:
                    output.Append(Clean(image.Text, depth + 1)); // images are never kept: the alt text stands in
                    i = image.End;
                    break;
                case '[' when depth < MaxDepth && Link.TryParse(line, i, MaxLinkText, MaxDestination) is { } link:
                    AppendLink(link, depth, output);
                    i = link.End;
                    break;
                case '[' or ']':
                    output.Append('\\').Append(c);
                    i++;
                    break;
                case '<':
                    output.Append("&lt;");
                    i++;
                    break;
                case '>':
                    output.Append("&gt;");
                    i++;
                    break;
                case '&':
                    // A character reference such as &#64; renders as '@' and would mention; only the escapes this
                    // cleaner writes itself are left as references.
                    output.Append(IsOwnEntity(line, i) ? "&" : "&amp;");
                    i++;
                    break;
                case '@':
                    output.Append('@');
                    if (i + 1 >= line.Length || line[i + 1] != OutputHygiene.ZeroWidthSpace)
                    {
                        output.Append(OutputHygiene.ZeroWidthSpace);
                    }

                    i++;
                    break;
                case 'h' or 'H' or 'w' or 'W' when (i == 0 || !char.IsLetterOrDigit(line[i - 1])) && Urls.BareLength(line, i) is > 0 and var length:
                    AppendBareUrl(line.Substring(i, length), output);
                    i += length;
                    break;
                default:
                    output.Append(c);
                    i++;
                    break;
            }
        }

        return output.ToString();
    }

    private void AppendLink(Link link, int depth, StringBuilder output)
    {
        var text = Clean(link.Text, depth + 1);
        if (Urls.IsInRepository(link.Destination, allowedPrefix))
        {
            output.Append('[').Append(text).Append("](").Append(link.Destination).Append(')');
        }
        else
        {
            output.Append(text);
        }
    }

    private void AppendBareUrl(string url, StringBuilder output)
    {
        if (Urls.IsInRepository(url, allowedPrefix))
        {
            output.Append(url);
            return;
        }

        // GitHub autolinks http(s):// and www. text; without the scheme, inside code, it is inert.
        var schemeEnd = url.IndexOf("://", StringComparison.Ordinal);
        output.Append('`').Append(schemeEnd >= 0 ? url[(schemeEnd + 3)..] : url).Append('`');
    }

    /// <summary>Appends the code span starting at <paramref name="start"/> verbatim, or escapes an unmatched backtick run.</summary>
    private static int CodeSpan(string line, int start, StringBuilder output)
    {
        var close = CodeSpans.FindClose(line, start, out var runLength);
        if (close >= 0)
        {
            output.Append(line, start, close - start);
            return close;
        }

        for (var k = 0; k < runLength; k++)
        {
            output.Append("\\`");
        }

        return start + runLength;
    }

    private static bool IsEscapable(char c) => char.IsAsciiLetterOrDigit(c) is false && c is > ' ' and < '\u007F' and not '@';

    private static bool IsOwnEntity(string line, int at) =>
        line.AsSpan(at).StartsWith("&amp;") || line.AsSpan(at).StartsWith("&lt;") || line.AsSpan(at).StartsWith("&gt;");
}

/// <summary>Inline code spans, restricted to what GitHub renders as code on any line of any container.</summary>
internal static class CodeSpans
{
    /// <summary>The index just past the span's closing run, or -1 when the run at <paramref name="start"/> opens no span.</summary>
    public static int FindClose(string line, int start, out int runLength)
    {
        runLength = RunLength(line, start);
        for (var i = start + runLength; i < line.Length;)
        {
            if (line[i] == '|')
            {
                return -1; // a table splits cells before it finds code spans
            }

            if (line[i] != '`')
            {
                i++;
                continue;
            }

            var run = RunLength(line, i);
            if (run == runLength)
            {
                return i + run;
            }

            i += run;
        }

        return -1;
    }

    private static int RunLength(string line, int from)
    {
        var i = from;
        while (i < line.Length && line[i] == '`')
        {
            i++;
        }

        return i - from;
    }
}
