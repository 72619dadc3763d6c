using System.Globalization;
using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Engine.Commands;

/// <summary>A finding of the PR's ledger as <c>explain</c> shows it. <see cref="Id"/> is its fingerprint.</summary>
public sealed record ExplainedFinding(
    string Id, string Title, string Severity, string Category, string File, int Line, int? EndLine, string Body, string? Suggestion, bool Resolved)
{
    /// <summary>The short id people type after <c>explain</c>: the fingerprint's first characters.</summary>
    public string ShortId => Id.Length > CommandReplies.ShortIdLength ? Id[..CommandReplies.ShortIdLength] : Id;
}

/// <summary>
/// The text of Nectr's answers to commands. Every reply passes <see cref="Finish"/>: output hygiene (no mention, image,
/// raw HTML or off-repository link outside code), then no line may start with the handle (so no reply is ever read as a
/// command, by Nectr or another bot), then Nectr's hidden reply marker, which also tells intake to ignore the reply.
/// Commands are shown only inside code spans, where GitHub neither notifies nor links.
/// </summary>
public static class CommandReplies
{
    public const int ShortIdLength = 8;
    private const int MaxListed = 10;
    private const string MarkerPrefix = "<!-- nectr:reply comment=";

    /// <summary>The hidden marker of Nectr's reply to the command in comment <paramref name="commentId"/>.</summary>
    public static string Marker(long commentId) => $"{MarkerPrefix}{commentId.ToString(CultureInfo.InvariantCulture)} -->";

    /// <summary>Whether <paramref name="body"/> is Nectr's reply to the command in comment <paramref name="commentId"/>.</summary>
    public static bool IsReplyTo(string? body, long commentId) =>
        body is not null && body.Contains(Marker(commentId), StringComparison.Ordinal);

    /// <summary>Any of Nectr's hidden markers (reviews, replies, summaries, inline findings): text Nectr wrote itself.</summary>
    public static bool CarriesNectrMarker(string? body) =>
        body is not null && body.Contains("<!-- nectr:", StringComparison.OrdinalIgnoreCase);

    public static string Help(string handle) => $"""
        Commands, each on a line of its own in a comment on the pull request (`/{handle} …` works too), from people with write access:

        | command | what it does |
        |---|---|
        | `@{handle} review` | reviews what changed since the last reviewed commit |
        | `@{handle} full review` | reviews every file of the pull request again |
        | `@{handle} pause` | stops reviews on pushes (asking for one still works) |
        | `@{handle} resume` | reviews pushes again |
        | `@{handle} explain <finding>` | explains a finding, named by its id or words of its title; in reply to an inline comment of Nectr's, that comment's finding |
        | `@{handle} help` | this list |
        """;

    public static string Unknown(string handle, string line) =>
        $"`{OutputHygiene.InlineCode(line)}` is not a command I know.\n\n" + Help(handle);

    public static string Explanation(ExplainedFinding finding)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var where = finding.Line > 0
            ? $"`{OutputHygiene.InlineCode(finding.File)}` line {finding.Line}{(finding.EndLine is { } end && end > finding.Line ? $"–{end}" : "")}"
            : $"`{OutputHygiene.InlineCode(finding.File)}`";
        var text = new StringBuilder()
            .Append("**").Append(OneLine(finding.Title)).Append("** (").Append(finding.Severity).Append(", ").Append(finding.Category)
            .Append(", id `").Append(finding.ShortId).Append("`)\n\n")
            .Append("Where: ").Append(where).Append(finding.Resolved ? " — resolved since: the code it was about has changed." : "").Append("\n\n")
            .Append(finding.Body.Trim());
        if (!string.IsNullOrWhiteSpace(finding.Suggestion))
        {
            text.Append("\n\nSuggested change:\n\n```suggestion\n").Append(finding.Suggestion.TrimEnd('\n')).Append("\n```");
        }

        return text.ToString();
    }

    public static string NoMatch(string argument, IReadOnlyList<ExplainedFinding> known)
    {
        ArgumentNullException.ThrowIfNull(known);
        var text = new StringBuilder(string.IsNullOrWhiteSpace(argument)
            ? "Name the finding to explain: its id or words of its title."
            : $"No finding of this pull request matches `{OutputHygiene.InlineCode(argument)}`.");
        return Listed(text, known, "Findings of this pull request").ToString();
    }

    public static string Ambiguous(string argument, IReadOnlyList<ExplainedFinding> matches)
    {
        ArgumentNullException.ThrowIfNull(matches);
        var text = new StringBuilder($"{matches.Count} findings match `{OutputHygiene.InlineCode(argument)}`; name one by its id.");
        return Listed(text, matches, "Matching findings").ToString();
    }

    /// <summary>Hygiene, no line that reads as a command, and the marker: what is posted.</summary>
    public static string Finish(string text, string handle, long commentId, string owner, string repo, string webHost = "github.com")
    {
        ArgumentNullException.ThrowIfNull(handle);
        var clean = OutputHygiene.Clean(text, owner, repo, webHost);
        var lines = clean.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            if (CommandParser.StartsAnyLineWithHandle(lines[i], handle))
            {
                var at = lines[i].Length - lines[i].TrimStart().Length;
                lines[i] = lines[i].Insert(at, "\u200B");
            }
        }

        return string.Join('\n', lines) + "\n\n" + Marker(commentId);
    }

    /// <summary>
    /// The findings <paramref name="argument"/> names: by id (a fingerprint prefix of four or more hex digits), else by
    /// title words (every word of the argument is a word of the title). When several match and only one is still
    /// open, that one is meant.
    /// </summary>
    public static IReadOnlyList<ExplainedFinding> Match(string argument, IReadOnlyList<ExplainedFinding> findings)
    {
        ArgumentNullException.ThrowIfNull(argument);
        ArgumentNullException.ThrowIfNull(findings);
        var wanted = argument.Trim().Trim('`', '"', '\'', '#');
        if (wanted.Length == 0)
        {
            return [];
        }

        List<ExplainedFinding> matches;
        if (wanted.Length >= 4 && wanted.All(char.IsAsciiHexDigit))
        {
            matches = [.. findings.Where(f => f.Id.StartsWith(wanted, StringComparison.OrdinalIgnoreCase))];
            if (matches.Count > 0)
            {
                return matches;
            }
        }

        var words = Words(wanted);
        if (words.Count == 0)
        {
            return [];
        }

        matches = [.. findings.Where(f => words.IsSubsetOf(Words(f.Title)))];
        return matches.Count > 1 && matches.Count(f => !f.Resolved) == 1 ? [matches.Single(f => !f.Resolved)] : matches;
    }

    private static StringBuilder Listed(StringBuilder text, IReadOnlyList<ExplainedFinding> findings, string heading)
    {
        if (findings.Count == 0)
        {
            return text.Append("\n\nNectr has recorded no findings on this pull request.");
        }

        text.Append("\n\n").Append(heading).Append(":\n");
        foreach (var f in findings.OrderBy(f => f.Resolved).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).Take(MaxListed))
        {
            text.Append("\n- `").Append(f.ShortId).Append("` ").Append(OneLine(f.Title))
                .Append(" (`").Append(OutputHygiene.InlineCode(f.File)).Append('`').Append(f.Resolved ? ", resolved" : "").Append(')');
        }

        if (findings.Count > MaxListed)
        {
            text.Append("\n- … and ").Append(findings.Count - MaxListed).Append(" more");
        }

        return text;
    }

    private static string OneLine(string text) => text.ReplaceLineEndings(" ").Replace("*", "\\*", StringComparison.Ordinal).Trim();

    private static HashSet<string> Words(string text)
    {
        var words = new HashSet<string>(StringComparer.Ordinal);
        var word = new StringBuilder();
        foreach (var c in text + " ")
        {
            if (char.IsLetterOrDigit(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (word.Length > 0)
            {
                words.Add(word.ToString());
                word.Clear();
            }
        }

        return words;
    }
}
