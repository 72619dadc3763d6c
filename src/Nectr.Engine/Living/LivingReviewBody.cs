using System.Globalization;
using System.Text;
using Nectr.Engine.Review;

namespace Nectr.Engine.Living;

/// <summary>
/// The body of the review a run posts on a living pull request. A full run (the first review, a rewritten branch,
/// <c>@nectr full review</c>) posts the engine's whole body, with what the scope was and what was resolved on top.
/// An incremental run posts a short body: the range, the new findings (the ones not placed inline in full), what
/// was resolved, how many earlier findings are still open; the sticky summary comment carries everything else.
/// </summary>
public static class LivingReviewBody
{
    private const int MaxListed = 50;

    public static string Render(ReviewRequest request, ReviewResult result, ReviewRange range, LedgerPlan plan, IReadOnlyList<TrackedFinding> resolved, int stillOpen, bool inlineRefused)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(range);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(resolved);
        return range.Scope == ReviewScope.Incremental
            ? Incremental(request, result, range, plan, resolved, stillOpen, inlineRefused)
            : Full(result, range, resolved, inlineRefused);
    }

    private static string Full(ReviewResult result, ReviewRange range, IReadOnlyList<TrackedFinding> resolved, bool inlineRefused)
    {
        var head = new StringBuilder();
        if (range.Notice is { } notice)
        {
            head.Append("> [!NOTE]\n> ").Append(notice).Append("\n\n");
        }

        AppendResolved(head, resolved);
        var body = inlineRefused && result.BodyWithoutInline.Length > 0 ? result.BodyWithoutInline : result.Body;
        // The engine's body already fits GitHub's limit with its marker at the end: what goes on top must not push
        // the marker out, so a long resolved list gives way to its count.
        if (head.Length + body.Length > BodyLimit.MaxBody)
        {
            head.Clear();
            if (range.Notice is { } again)
            {
                head.Append("> [!NOTE]\n> ").Append(again).Append("\n\n");
            }

            head.Append(CultureInfo.InvariantCulture, $"{resolved.Count} earlier finding(s) resolved.\n\n");
        }

        return head.Append(body).ToString();
    }

    private static string Incremental(ReviewRequest request, ReviewResult result, ReviewRange range, LedgerPlan plan, IReadOnlyList<TrackedFinding> resolved, int stillOpen, bool inlineRefused)
    {
        var text = new StringBuilder("## Nectr review\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Incremental review of {Short(range.FromSha)}..{Short(request.HeadSha)}: {request.Files.Count} changed file{(request.Files.Count == 1 ? "" : "s")} of the pull request.\n\n");
        text.Append(CultureInfo.InvariantCulture, $"**Verdict: {Markdown.VerdictName(result.Verdict)}** — {result.VerdictReason}\n\n");

        // New and reopened findings, and an open one placed inline for the first time (it was over the cap before).
        var fresh = plan.Found.Where(f => f.Action != LedgerAction.StillOpen || f.PostInline).ToList();
        if (fresh.Count == 0)
        {
            text.Append("No new findings.\n\n");
        }
        else
        {
            var inline = inlineRefused ? [] : fresh.Where(f => f.PostInline).ToList();
            var listed = fresh.Where(f => !inline.Contains(f)).ToList();
            text.Append(CultureInfo.InvariantCulture, $"**{fresh.Count} new finding{(fresh.Count == 1 ? "" : "s")}**");
            text.Append(inline.Count > 0 ? string.Create(CultureInfo.InvariantCulture, $", {inline.Count} inline") : "").Append(":\n\n");
            foreach (var found in inline.Take(MaxListed))
            {
                text.Append("- ").Append(Where(found.Finding.File, found.Finding.Line)).Append(" — ").Append(found.Finding.Title).Append('\n');
            }

            foreach (var found in listed.Take(MaxListed))
            {
                text.Append("- ").Append(Where(found.Finding.File, found.Finding.Line)).Append(' ')
                    .Append(Markdown.InlineBody(found.Finding).ReplaceLineEndings("\n  ")).Append('\n');
            }

            text.Append('\n');
        }

        AppendResolved(text, resolved);
        if (stillOpen > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"{stillOpen} finding{(stillOpen == 1 ? "" : "s")} from earlier reviews {(stillOpen == 1 ? "is" : "are")} still open and not repeated.\n\n");
        }

        var tail = "<sub>The summary comment on this pull request lists every finding and its status.</sub>\n\n" + ReviewMarker.For(request.HeadSha, request.JobId) + "\n";
        return BodyLimit.Truncate(text.ToString(), BodyLimit.MaxBody - tail.Length) + tail;
    }

    private static void AppendResolved(StringBuilder text, IReadOnlyList<TrackedFinding> resolved)
    {
        if (resolved.Count == 0)
        {
            return;
        }

        text.Append(CultureInfo.InvariantCulture, $"**Resolved since the last review ({resolved.Count}):**\n\n");
        foreach (var finding in resolved.Take(MaxListed))
        {
            text.Append("- ✅ ").Append(Where(finding.File, finding.Line)).Append(" — ").Append(finding.Title).Append('\n');
        }

        if (resolved.Count > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $"- … and {resolved.Count - MaxListed} more\n");
        }

        text.Append('\n');
    }

    private static string Where(string file, int line) =>
        "`" + OutputHygiene.InlineCode(file) + (line > 0 ? ":" + line.ToString(CultureInfo.InvariantCulture) : "") + "`";

    private static string Short(string? sha) => sha is null ? "?" : ReviewRanges.Short(sha);
}
