namespace Nectr.Engine.Commands;

/// <summary>What a PR comment asks Nectr to do.</summary>
public enum CommandVerb
{
    /// <summary>The handle, then words that are no command (or none): answered with the list of commands.</summary>
    Unknown = 0,
    Review,
    FullReview,
    Pause,
    Resume,
    Explain,
    Help,
}

/// <summary>
/// One command read from a comment. <see cref="Argument"/> is only ever the finding an <c>explain</c> names; no command
/// takes a parameter that changes settings. <see cref="Line"/> is the command's line as written (bounded), for reasons.
/// </summary>
public sealed record ParsedCommand(CommandVerb Verb, string Argument, string Line)
{
    /// <summary>The command as the help text names it (<c>full review</c>), or the unknown word.</summary>
    public string Name => Verb switch
    {
        CommandVerb.Review => "review",
        CommandVerb.FullReview => "full review",
        CommandVerb.Pause => "pause",
        CommandVerb.Resume => "resume",
        CommandVerb.Explain => "explain",
        CommandVerb.Help => "help",
        _ => "unknown",
    };
}

/// <summary>
/// Reads a command from a PR comment, strictly: a line whose first visible text is <c>@handle</c> or <c>/handle</c>
/// (at most three spaces in: four, or a tab, make Markdown code), then the command and nothing after it but an
/// <c>explain</c>'s finding. Lines in fenced or indented code and in quotes (<c>&gt;</c>) are someone showing or
/// quoting a command, not giving one, and are ignored. The first command line counts; a comment gives one command.
/// </summary>
public static class CommandParser
{
    /// <summary>A command line longer than this is not a command anyone typed.</summary>
    public const int MaxLineLength = 500;

    /// <summary>A GitHub login: 1–39 letters, digits or single hyphens, neither first nor last.</summary>
    public static bool IsValidHandle(string? handle)
    {
        if (handle is null || handle.Length is 0 or > 39 || handle[0] == '-' || handle[^1] == '-')
        {
            return false;
        }

        for (var i = 0; i < handle.Length; i++)
        {
            if (!char.IsAsciiLetterOrDigit(handle[i]) && !(handle[i] == '-' && handle[i - 1] != '-'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>The comment's command, or null when it gives none.</summary>
    public static ParsedCommand? Parse(string? body, string handle)
    {
        ArgumentNullException.ThrowIfNull(handle);
        if (string.IsNullOrEmpty(body))
        {
            return null;
        }

        string? fence = null;
        foreach (var raw in body.ReplaceLineEndings("\n").Split('\n'))
        {
            var indent = Indent(raw);
            var line = raw.TrimStart(' ', '\t');
            if (fence is not null)
            {
                var closing = line.TrimEnd();
                if (closing.Length >= fence.Length && closing.All(c => c == fence[0]))
                {
                    fence = null;
                }

                continue;
            }

            if (indent < 4 && FenceOf(line) is { } opening)
            {
                fence = opening;
                continue;
            }

            if (indent >= 4 || line.StartsWith('>') || CommandOf(line.TrimEnd(), handle) is not { } command)
            {
                continue;
            }

            return command;
        }

        return null;
    }

    /// <summary>True when any line of <paramref name="text"/> would be read as a command: what Nectr's own replies must never contain.</summary>
    public static bool StartsAnyLineWithHandle(string text, string handle) =>
        text.ReplaceLineEndings("\n").Split('\n').Any(l => Addressed(l.TrimStart(), handle) >= 0);

    private static ParsedCommand? CommandOf(string line, string handle)
    {
        var rest = Addressed(line, handle);
        if (rest < 0)
        {
            return null;
        }

        var shown = line.Length > MaxLineLength ? line[..MaxLineLength] : line;
        if (line.Length > MaxLineLength)
        {
            return new ParsedCommand(CommandVerb.Unknown, "", shown);
        }

        var words = line[rest..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var verb = words.Length == 0 ? "" : words[0].ToLowerInvariant();
        return (verb, words.Length) switch
        {
            ("review", 1) => new ParsedCommand(CommandVerb.Review, "", shown),
            ("full", 2) when words[1].Equals("review", StringComparison.OrdinalIgnoreCase) => new ParsedCommand(CommandVerb.FullReview, "", shown),
            ("pause", 1) => new ParsedCommand(CommandVerb.Pause, "", shown),
            ("resume", 1) => new ParsedCommand(CommandVerb.Resume, "", shown),
            ("help", 1) => new ParsedCommand(CommandVerb.Help, "", shown),
            ("explain", _) => new ParsedCommand(CommandVerb.Explain, string.Join(' ', words.Skip(1)), shown),
            _ => new ParsedCommand(CommandVerb.Unknown, "", shown),
        };
    }

    /// <summary>Where the text after <c>@handle</c> or <c>/handle</c> at the start of <paramref name="line"/> begins, or -1.</summary>
    private static int Addressed(string line, string handle)
    {
        if (line.Length < handle.Length + 1 || line[0] is not ('@' or '/')
            || !line.AsSpan(1, handle.Length).Equals(handle, StringComparison.OrdinalIgnoreCase))
        {
            return -1;
        }

        var end = handle.Length + 1;
        return end == line.Length || line[end] is ' ' or '\t' ? end : -1;
    }

    private static int Indent(string line)
    {
        var width = 0;
        foreach (var c in line)
        {
            if (c == ' ')
            {
                width++;
            }
            else if (c == '\t')
            {
                width += 4;
            }
            else
            {
                break;
            }
        }

        return width;
    }

    /// <summary>A fence opens with three or more backticks or tildes; it closes with at least as many of the same.</summary>
    private static string? FenceOf(string line)
    {
        if (line.Length < 3 || line[0] is not ('`' or '~'))
        {
            return null;
        }

        var n = 0;
        while (n < line.Length && line[n] == line[0])
        {
            n++;
        }

        return n >= 3 ? line[..n] : null;
    }
}
