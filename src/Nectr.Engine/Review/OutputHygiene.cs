using System.Text;

namespace Nectr.Engine.Review;

/// <summary>
/// Makes model-written text safe to post on GitHub. Injected instructions act through the rendered comment: images
/// and off-repository links exfiltrate (the URL carries data), @-mentions and leading <c>/commands</c> trigger people
/// and other bots, raw HTML hides text or forges Nectr's marker. So outside code this removes images, keeps links
/// only into the reviewed repository, escapes HTML, breaks mentions and commands; code is left as written because
/// GitHub neither renders nor notifies there. The cleaner is applied until nothing changes, which makes it
/// idempotent and catches constructs that only appear once something between their parts was removed.
/// </summary>
public static class OutputHygiene
{
    internal const char ZeroWidthSpace = '\u200B';
    private const int MaxPasses = 8;

    public static string Clean(string modelText, string owner, string repo, string webHost = "github.com")
    {
        ArgumentNullException.ThrowIfNull(owner);
        ArgumentNullException.ThrowIfNull(repo);
        ArgumentNullException.ThrowIfNull(webHost);
        if (string.IsNullOrEmpty(modelText))
        {
            return "";
        }

        var rules = new HygieneLine($"https://{webHost}/{owner}/{repo}");
        var text = StripControls(modelText);
        for (var pass = 0; pass < MaxPasses; pass++)
        {
            var next = CleanOnce(text, rules);
            if (string.Equals(next, text, StringComparison.Ordinal))
            {
                return next;
            }

            text = next;
        }

        // Text that keeps changing is adversarial; keep only characters that cannot form any markup.
        return PlainText(text);
    }

    private static string CleanOnce(string text, HygieneLine rules)
    {
        var lines = text.Split('\n');
        var output = new StringBuilder(text.Length + 16);
        for (var i = 0; i < lines.Length; i++)
        {
            if (i > 0)
            {
                output.Append('\n');
            }

            if (Fences.Open(lines[i]) is { } fence)
            {
                var close = Fences.FindClose(lines, i + 1, fence);
                if (close >= 0)
                {
                    output.Append(Fences.SafeOpening(lines[i], fence));
                    for (var j = i + 1; j < close; j++)
                    {
                        output.Append('\n').Append(NeutraliseCommand(lines[j], inCode: true));
                    }

                    output.Append('\n').Append(lines[close]);
                    i = close;
                    continue;
                }

                // An unclosed fence would turn everything after it, including text added around this one, into
                // code that was never cleaned: escape it so it renders as literal characters, and clean the line.
                lines[i] = Fences.Escape(lines[i], fence);
            }

            output.Append(NeutraliseCommand(rules.Clean(lines[i], depth: 0), inCode: false));
        }

        return BreakMarker(output.ToString());
    }

    /// <summary>
    /// A line whose first visible character is <c>/</c> followed by a letter reads as a command to bots that scan
    /// comments (<c>/approve</c>, <c>/merge</c>). A backslash keeps the rendering and breaks the raw text; in code,
    /// where a backslash would show, a zero-width space does the same.
    /// </summary>
    private static string NeutraliseCommand(string line, bool inCode)
    {
        var k = 0;
        while (k < line.Length && line[k] is ' ' or '\t')
        {
            k++;
        }

        if (k + 1 < line.Length && line[k] == '/' && char.IsAsciiLetter(line[k + 1]))
        {
            return line.Insert(k, inCode ? ZeroWidthSpace.ToString() : "\\");
        }

        return line;
    }

    /// <summary>
    /// Text from the PR or the model (a path, a model's made-up file name) made inert inside a single-backtick code
    /// span: a backtick would end the span early and a line break would end the list item, so they become <c>'</c>
    /// and a space; Nectr's marker is broken as everywhere else, because code hides it from readers, not from the raw text.
    /// </summary>
    public static string InlineCode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return BreakMarker(text.Replace("`", "'", StringComparison.Ordinal).ReplaceLineEndings(" "));
    }

    /// <summary>
    /// The worker looks for Nectr's hidden markers (its review's, the sticky summary's) before posting or editing;
    /// model and PR text must never contain one, even in code.
    /// </summary>
    private static string BreakMarker(string text)
    {
        foreach (var tag in (ReadOnlySpan<string>)[ReviewMarker.Tag, Living.StickySummary.Tag])
        {
            text = BreakTag(text, tag);
        }

        return text;
    }

    private static string BreakTag(string text, string tag)
    {
        var at = text.IndexOf(tag, StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return text;
        }

        var output = new StringBuilder(text);
        for (; at >= 0; at = output.ToString().IndexOf(tag, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            output.Insert(at + "nectr".Length, ZeroWidthSpace);
        }

        return output.ToString();
    }

    /// <summary>Control characters, bidirectional overrides ("Trojan source") and a BOM have no place in a comment.</summary>
    internal static string StripControls(string text)
    {
        var output = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            switch (c)
            {
                case '\r':
                    output.Append('\n');
                    if (i + 1 < text.Length && text[i + 1] == '\n')
                    {
                        i++;
                    }

                    break;
                case '\u2028' or '\u2029':
                    output.Append('\n');
                    break;
                case '\n' or '\t':
                    output.Append(c);
                    break;
                case < ' ' or (>= '\u007F' and <= '\u009F') or (>= '\u202A' and <= '\u202E') or (>= '\u2066' and <= '\u2069') or '\uFEFF':
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }

        return output.ToString();
    }

    private static string PlainText(string text)
    {
        var output = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c) || c is ' ' or '\n' or ',' or ';' or '-' or '?')
            {
                output.Append(c);
            }
        }

        return output.ToString();
    }
}
