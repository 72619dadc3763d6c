using System.Text;
using System.Text.RegularExpressions;

namespace Nectr.Tests.Reviews;

/// <summary>
/// What GitHub would act on in Markdown that Nectr posted, read independently of Nectr's own cleaner: images, raw
/// HTML, @-mentions, off-repository links (outside code, where GitHub renders them) and leading <c>/commands</c> and
/// Nectr's marker (anywhere: bots and Nectr itself read the raw text). Each problem is returned as a sentence.
/// </summary>
internal static partial class PostedMarkdown
{
    /// <summary>
    /// Problems in a PR's summary comment: it starts with Nectr's summary marker (once) and may use Nectr's small-print
    /// <c>&lt;sub&gt;</c> tags; everything else is checked like an inline comment.
    /// </summary>
    public static List<string> SummaryProblems(string markdown, string owner, string repo)
    {
        const string marker = "<!-- nectr:summary -->\n";
        var problems = new List<string>();
        if (!markdown.StartsWith(marker, StringComparison.Ordinal))
        {
            problems.Add("the summary does not start with its marker line");
        }

        var rest = markdown.StartsWith(marker, StringComparison.Ordinal) ? markdown[marker.Length..] : markdown;
        if (Count(rest, "nectr:summary", StringComparison.OrdinalIgnoreCase) > 0)
        {
            problems.Add("'nectr:summary' appears in the raw text other than as the first line");
        }

        rest = rest.Replace("<sub>", "", StringComparison.Ordinal).Replace("</sub>", "", StringComparison.Ordinal);
        problems.AddRange(Problems(rest, owner, repo, headSha: null));
        return problems;
    }

    /// <summary>
    /// Problems in a review body (<paramref name="headSha"/> given: Nectr's own footer <c>&lt;sub&gt;</c> and one marker
    /// for that head are expected) or in an inline comment (null: no HTML and no marker at all).
    /// </summary>
    public static List<string> Problems(string markdown, string owner, string repo, string? headSha)
    {
        var problems = new List<string>();
        var prose = OutsideCode(markdown);
        var allowedLink = $"https://github.com/{owner}/{repo}";

        if (headSha is not null)
        {
            var marker = new Regex($@"^<!-- nectr:review head={headSha} job=\d+ -->$", RegexOptions.Multiline);
            ExpectOnce(problems, "Nectr's marker on a line of its own", marker.Count(markdown));
            prose = marker.Replace(prose, "");
            ExpectOnce(problems, "<sub>", Count(prose, "<sub>"));
            ExpectOnce(problems, "</sub>", Count(prose, "</sub>"));
            prose = prose.Replace("<sub>", "", StringComparison.Ordinal).Replace("</sub>", "", StringComparison.Ordinal);
        }

        else
        {
            // An inline comment ends in the finding's fingerprint marker (src/Nectr.Engine/Living/FindingMarker.cs), once.
            var finding = new Regex(@"\n<!-- nectr:finding [0-9a-f]{8,64} -->\s*\z");
            prose = finding.Replace(prose, "");
            if (Count(prose, "nectr:finding", StringComparison.OrdinalIgnoreCase) > 0)
            {
                problems.Add("'nectr:finding' appears in the raw text other than as the closing marker");
            }
        }

        var markers = Count(markdown, "nectr:review", StringComparison.OrdinalIgnoreCase);
        if (markers != (headSha is null ? 0 : 1))
        {
            problems.Add($"'nectr:review' appears {markers} times in the raw text");
        }

        Report(problems, "image", Image().Matches(prose));
        Report(problems, "raw HTML", Tag().Matches(prose));
        Report(problems, "@-mention", Mention().Matches(prose));
        Report(problems, "@-mention as a character reference", EntityMention().Matches(prose));
        Report(problems, "line starting with a /command", Command().Matches(markdown));
        Report(problems, "off-repository link", LinkDestination().Matches(prose).Where(m => !InRepository(m.Groups["url"].Value, allowedLink)));
        Report(problems, "off-repository URL", BareUrl().Matches(prose).Where(m => !InRepository(m.Value, allowedLink)));
        return problems;
    }

    /// <summary>The text with fenced code blocks and inline code spans blanked out, as GitHub would not render them.</summary>
    public static string OutsideCode(string markdown)
    {
        var lines = markdown.Split('\n');
        var output = new StringBuilder(markdown.Length);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                output.Append('\n');
            }

            var open = FenceOpen().Match(lines[i]);
            var run = open.Groups["run"].Value;
            if (!open.Success || (run[0] == '`' && open.Groups["info"].Value.Contains('`', StringComparison.Ordinal)))
            {
                output.Append(WithoutCodeSpans(lines[i]));
                continue;
            }

            // A fence that opens a list item's one line ends with the item; otherwise it runs to its closing fence.
            var close = open.Groups["item"].Success ? i
                : Array.FindIndex(lines, i + 1, l => Regex.IsMatch(l, $@"^\s*{Regex.Escape(run[..1])}{{{run.Length},}}\s*$"));
            if (close < 0)
            {
                output.Append(WithoutCodeSpans(lines[i])); // unclosed: Nectr escapes those, so read it as text
                continue;
            }

            output.Append('\n', close - i);
            i = close;
        }

        return output.ToString();
    }

    private static string WithoutCodeSpans(string line)
    {
        var output = new StringBuilder(line.Length);
        for (var i = 0; i < line.Length;)
        {
            // An escaped punctuation character is literal: it opens no code span, link, tag or image. "\@" still mentions.
            if (line[i] == '\\' && i + 1 < line.Length && char.IsAsciiLetterOrDigit(line[i + 1]) is false && line[i + 1] is > ' ' and < '\u007F' and not '@')
            {
                output.Append("  ");
                i += 2;
                continue;
            }

            if (line[i] != '`')
            {
                output.Append(line[i++]);
                continue;
            }

            var run = Run(line, i);
            var close = -1;
            for (var j = i + run; j < line.Length;)
            {
                var next = Run(line, j);
                if (next == run)
                {
                    close = j;
                    break;
                }

                j += Math.Max(next, 1);
            }

            if (close < 0)
            {
                output.Append(line, i, run); // an unmatched run is literal text
                i += run;
                continue;
            }

            output.Append(' ');
            i = close + run;
        }

        return output.ToString();
    }

    private static int Run(string line, int from)
    {
        var i = from;
        while (i < line.Length && line[i] == '`')
        {
            i++;
        }

        return i - from;
    }

    private static bool InRepository(string url, string allowed) =>
        url.StartsWith(allowed, StringComparison.Ordinal) && (url.Length == allowed.Length || url[allowed.Length] is '/' or '#' or '?');

    private static void ExpectOnce(List<string> problems, string what, int count)
    {
        if (count != 1)
        {
            problems.Add($"{what} appears {count} times, expected once");
        }
    }

    private static void Report(List<string> problems, string what, IEnumerable<Match> matches) =>
        problems.AddRange(matches.Select(m => $"{what}: '{m.Value}'"));

    private static int Count(string text, string value, StringComparison comparison = StringComparison.Ordinal)
    {
        var count = 0;
        for (var at = text.IndexOf(value, comparison); at >= 0; at = text.IndexOf(value, at + value.Length, comparison))
        {
            count++;
        }

        return count;
    }

    [GeneratedRegex(@"^ {0,3}(?<item>(?:[-*+] +|\d+\. +)+)?(?<run>`{3,}|~{3,})(?<info>.*)$")]
    private static partial Regex FenceOpen();

    [GeneratedRegex(@"!\[|<img", RegexOptions.IgnoreCase)]
    private static partial Regex Image();

    [GeneratedRegex(@"<[A-Za-z/!?][^>\n]*>?")]
    private static partial Regex Tag();

    [GeneratedRegex(@"(?<![\w`])@[A-Za-z0-9][A-Za-z0-9-]*")]
    private static partial Regex Mention();

    [GeneratedRegex(@"&#0*64;|&#x0*40;", RegexOptions.IgnoreCase)]
    private static partial Regex EntityMention();

    [GeneratedRegex(@"^[ \t]*/[A-Za-z].*$", RegexOptions.Multiline)]
    private static partial Regex Command();

    [GeneratedRegex(@"\]\((?<url>[^)\s]*)")]
    private static partial Regex LinkDestination();

    [GeneratedRegex(@"(?:https?://|www\.)[^\s<>""'`|\\)\]]+", RegexOptions.IgnoreCase)]
    private static partial Regex BareUrl();
}
