using System.Globalization;
using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Engine.Living;

/// <summary>
/// The ONE summary comment of a pull request, edited in place after every review: overview, verdict, the findings
/// table with each finding's status across pushes, scope, coverage, cost, the last reviewed commit, notices and the
/// commands. The host finds it again by <see cref="Marker"/> on its first line, never by its text. Everything that
/// came from the model or GitHub (overview, titles, paths, notices quoting a login or a file) goes through
/// <see cref="OutputHygiene"/>, and the body always fits in one GitHub comment: the table shows the first rows of
/// each severity and counts the rest.
/// </summary>
public static class StickySummary
{
    /// <summary>The word of the hidden marker; output hygiene breaks it up wherever model or PR text carries it.</summary>
    internal const string Tag = "nectr:summary";

    /// <summary>The hidden marker, alone on the comment's first line.</summary>
    public const string Marker = "<!-- " + Tag + " -->";

    public const string DefaultHandle = "nectr";

    /// <summary>Open findings shown per severity; the rest are counted.</summary>
    internal const int OpenRowsPerSeverity = 15;

    /// <summary>Resolved findings shown per severity: history, so fewer than the open ones.</summary>
    internal const int ResolvedRowsPerSeverity = 5;

    private const int MaxTitle = 160;
    private const int MaxPath = 120;
    private const int MaxOverview = 12_000;
    private const int MaxCoverage = 12_000;
    private const int MaxNotices = 10;
    private const int MaxNotice = 400;

    public static string Render(SummaryInput input) => Render(input, DefaultHandle);

    /// <summary>The summary; <paramref name="commandHandle"/> is the handle the commands answer to (without the @).</summary>
    public static string Render(SummaryInput input, string commandHandle)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(commandHandle);
        var request = input.Request;
        var result = input.Result;
        var view = new ReviewView(result.Verdict, result.VerdictReason, result.Overview, [], [], result.Model, result.Usage, null);

        var head = new StringBuilder();
        head.Append(Marker).Append('\n');
        head.Append("## Nectr summary\n\n");
        head.Append(Markdown.VerdictLine(view)).Append("\n\n");
        head.Append(ScopeLine(input)).Append('\n');
        head.Append("**Last reviewed commit:** `").Append(OutputHygiene.InlineCode(request.HeadSha)).Append("`\n\n");
        if (result.Overview is { Length: > 0 } overview)
        {
            // Already cleaned by the engine; cleaning is idempotent, and a result built elsewhere gets it here.
            var cleaned = OutputHygiene.Clean(overview, request.Owner, request.Repo).Trim();
            head.Append("### Overview\n\n")
                .Append(BodyLimit.Truncate(cleaned, MaxOverview, "… (the overview is longer; the review itself has it in full)").TrimEnd())
                .Append("\n\n");
        }

        var tail = new StringBuilder();
        tail.Append(BodyLimit.Truncate(Markdown.CoverageSection(result.Coverage), MaxCoverage, "… (more coverage notes are in the review)").TrimEnd()).Append("\n\n");
        AppendNotices(tail, input);
        tail.Append(Markdown.Footer(view)).Append("\n\n");
        tail.Append(Commands(commandHandle)).Append('\n');

        var table = FindingsSection(input);
        var room = BodyLimit.MaxBody - head.Length - tail.Length;
        var body = head + BodyLimit.Truncate(table, Math.Max(0, room), "… (the table was cut to fit in one GitHub comment)") + tail;
        // The parts around the table are bounded above; this keeps the promise even if one of them grows.
        return body.Length <= BodyLimit.MaxBody ? body : BodyLimit.Truncate(body, BodyLimit.MaxBody, "… (cut to fit in one GitHub comment)");
    }

    /// <summary>Whether <paramref name="body"/> is a sticky summary: its first line is the marker. Who wrote it is the host's check.</summary>
    public static bool IsSummary(string? body)
    {
        if (body is null)
        {
            return false;
        }

        var end = body.IndexOf('\n', StringComparison.Ordinal);
        return (end < 0 ? body : body[..end]).Trim() == Marker;
    }

    private static string ScopeLine(SummaryInput input)
    {
        var since = input.FromSha is { Length: > 0 } from ? $"`{Short(from)}`" : null;
        return input.Scope switch
        {
            ReviewScope.Incremental => since is null
                ? "**Scope:** incremental: only the latest push was reviewed."
                : $"**Scope:** incremental since {since}: only the changes pushed after it were reviewed.",
            ReviewScope.FullAfterRewrite => since is null
                ? "**Scope:** full review: the branch was rewritten (force-push or rebase), so there was no range to review incrementally."
                : $"**Scope:** full review: the branch was rewritten (force-push or rebase) since {since}, so there was no range to review incrementally.",
            ReviewScope.FullRequested => "**Scope:** full review requested: the whole pull request was reviewed again.",
            _ => "**Scope:** full review of the pull request.",
        };
    }

    private static string FindingsSection(SummaryInput input)
    {
        var findings = input.Findings;
        var open = findings.Where(f => f.Status != TrackedStatus.Resolved).ToList();
        var resolved = findings.Where(f => f.Status == TrackedStatus.Resolved).ToList();
        var text = new StringBuilder("### Findings\n\n");
        if (findings.Count == 0)
        {
            return text.Append("No findings.\n\n").ToString();
        }

        var fresh = open.Count(f => f.Status == TrackedStatus.New);
        text.Append(CultureInfo.InvariantCulture, $"**{open.Count:N0} open** ({fresh:N0} new, {open.Count - fresh:N0} still open) · {resolved.Count:N0} resolved\n\n");
        text.Append("| Severity | Status | Where | Finding |\n|---|---|---|---|\n");
        foreach (var group in open.GroupBy(f => f.Severity).OrderBy(g => g.Key))
        {
            // New before still open: what this push brought is what the reader came for.
            var rows = group.OrderBy(f => f.Status == TrackedStatus.New ? 0 : 1).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ToList();
            AppendRows(text, input, rows, OpenRowsPerSeverity, "open");
        }

        foreach (var group in resolved.GroupBy(f => f.Severity).OrderBy(g => g.Key))
        {
            var rows = group.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ToList();
            AppendRows(text, input, rows, ResolvedRowsPerSeverity, "resolved");
        }

        return text.Append('\n').ToString();
    }

    private static void AppendRows(StringBuilder text, SummaryInput input, List<TrackedFinding> rows, int shown, string kind)
    {
        foreach (var finding in rows.Take(shown))
        {
            var title = Cell(OutputHygiene.Clean(OneLine(Clip(finding.Title, MaxTitle)), input.Request.Owner, input.Request.Repo));
            text.Append("| ").Append(Markdown.Icon(finding.Severity)).Append(' ').Append(finding.Severity.ToString())
                .Append(" | ").Append(Status(finding))
                .Append(" | `").Append(Cell(OutputHygiene.InlineCode(Clip(finding.File, MaxPath))))
                .Append(finding.Line > 0 ? string.Create(CultureInfo.InvariantCulture, $":{finding.Line}") : "").Append('`')
                .Append(" | ")
                // Struck through, and its tildes escaped so a title cannot end the strikethrough early.
                .Append(finding.Status == TrackedStatus.Resolved ? "~~" + title.Replace("~", "\\~", StringComparison.Ordinal) + "~~" : title)
                .Append(" |\n");
        }

        if (rows.Count > shown)
        {
            var name = rows[0].Severity.ToString().ToLowerInvariant();
            text.Append(CultureInfo.InvariantCulture, $"| | | | … and {rows.Count - shown:N0} more {kind} {name} finding{(rows.Count - shown == 1 ? "" : "s")} |\n");
        }
    }

    private static string Status(TrackedFinding finding) => finding.Status switch
    {
        TrackedStatus.New => finding.Inline ? "🆕 new" : "🆕 new (not inline)",
        TrackedStatus.StillOpen => finding.Inline ? "still open" : "still open (not inline)",
        _ => "✅ resolved",
    };

    private static void AppendNotices(StringBuilder text, SummaryInput input)
    {
        var notices = input.Notices.Where(n => !string.IsNullOrWhiteSpace(n)).ToList();
        if (notices.Count == 0)
        {
            return;
        }

        text.Append("### Notices\n\n");
        foreach (var notice in notices.Take(MaxNotices))
        {
            // Nectr's words, but they quote GitHub (a login, a config file's text): one cleaned line each.
            text.Append("- ").Append(OutputHygiene.Clean(OneLine(Clip(notice, MaxNotice)), input.Request.Owner, input.Request.Repo).Trim()).Append('\n');
        }

        if (notices.Count > MaxNotices)
        {
            text.Append(CultureInfo.InvariantCulture, $"- … and {notices.Count - MaxNotices} more\n");
        }

        text.Append('\n');
    }

    private static string Commands(string handle)
    {
        // The handle is a setting, not GitHub text, but it lands in a comment: anything but a plain login falls back.
        var name = handle.TrimStart('@');
        name = name.Length is > 0 and <= 39 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_') ? name : DefaultHandle;
        return $"<sub>Nectr edits this one comment after every review. Commands, in a comment on this pull request: `@{name} review`, `@{name} full review`, `@{name} pause`, `@{name} resume`, `@{name} explain <finding>`; `@{name} help` lists them.</sub>";
    }

    /// <summary>A table cell is one line, and a pipe would end it.</summary>
    private static string Cell(string text) => text.Replace("|", "\\|", StringComparison.Ordinal);

    private static string OneLine(string text) => text.ReplaceLineEndings(" ");

    /// <summary>At most <paramref name="max"/> characters, never splitting a surrogate pair.</summary>
    private static string Clip(string text, int max)
    {
        if (text.Length <= max)
        {
            return text;
        }

        var end = char.IsHighSurrogate(text[max - 1]) ? max - 1 : max;
        return text[..end] + "…";
    }

    private static string Short(string sha) => OutputHygiene.InlineCode(sha.Length > 7 ? sha[..7] : sha);
}
