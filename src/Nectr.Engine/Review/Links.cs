namespace Nectr.Engine.Review;

/// <summary>An inline link or image <c>[text](destination)</c> found on one line; <see cref="End"/> is just past it.</summary>
internal readonly record struct Link(string Text, string Destination, int End)
{
    public static Link? TryParse(string line, int open, int maxText, int maxDestination)
    {
        var close = MatchingBracket(line, open, maxText);
        if (close < 0 || close + 1 >= line.Length || line[close + 1] != '(')
        {
            return null;
        }

        var depth = 0;
        var limit = Math.Min(line.Length, close + 2 + maxDestination);
        for (var i = close + 2; i < limit; i++)
        {
            switch (line[i])
            {
                case '\\':
                    i++;
                    break;
                case '(':
                    depth++;
                    break;
                case ')' when depth > 0:
                    depth--;
                    break;
                case ')':
                    var inside = line[(close + 2)..i].Trim();
                    var space = inside.IndexOfAny([' ', '\t']);
                    var destination = space < 0 ? inside : inside[..space]; // a title after the URL is dropped
                    return new Link(line[(open + 1)..close], destination, i + 1);
                default:
                    break;
            }
        }

        return null;
    }

    /// <summary>The <c>]</c> closing the bracket at <paramref name="open"/>; code spans and escapes hide brackets, as in CommonMark.</summary>
    private static int MatchingBracket(string line, int open, int maxText)
    {
        var depth = 0;
        var limit = Math.Min(line.Length, open + 1 + maxText);
        for (var i = open; i < limit; i++)
        {
            switch (line[i])
            {
                case '\\':
                    i++;
                    break;
                case '`':
                    var end = CodeSpans.FindClose(line, i, out var run);
                    i = (end >= 0 ? end : i + run) - 1;
                    break;
                case '[':
                    depth++;
                    break;
                case ']':
                    if (--depth == 0)
                    {
                        return i;
                    }

                    break;
                default:
                    break;
            }
        }

        return -1;
    }
}

/// <summary>Which URLs may stay clickable: only those into the reviewed repository on the configured GitHub host.</summary>
internal static class Urls
{
    /// <summary>The length of the bare URL GitHub would autolink at <paramref name="at"/>, or 0.</summary>
    public static int BareLength(string line, int at)
    {
        var rest = line.AsSpan(at);
        var prefix = rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase) ? 8
            : rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) ? 7
            : rest.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? 4
            : 0;
        if (prefix == 0)
        {
            return 0;
        }

        var end = prefix;
        while (end < rest.Length && !char.IsWhiteSpace(rest[end]) && rest[end] is not ('<' or '>' or '"' or '\'' or '`' or '|' or '\\'))
        {
            end++;
        }

        // Like GitHub, trailing punctuation ends a sentence rather than the URL.
        while (end > prefix && rest[end - 1] is '.' or ',' or ':' or ';' or '!' or '?' or '*' or '_' or '~' or ')' or ']')
        {
            end--;
        }

        return end > prefix ? end : 0;
    }

    public static bool IsInRepository(string url, string allowedPrefix)
    {
        if (!url.StartsWith(allowedPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        if (url.Length > allowedPrefix.Length && url[allowedPrefix.Length] is not ('/' or '#' or '?'))
        {
            return false; // https://github.com/o/r.evil.example is not the repository
        }

        // Dot segments and encoded dots could walk out of the repository; the character set keeps it plain text.
        return !url.Contains("/..", StringComparison.Ordinal) && !url.Contains("%2e", StringComparison.OrdinalIgnoreCase)
            && url.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' or '~' or '/' or '?' or '#' or '=' or '%' or '+' or ',' or ':' or ';');
    }
}
