using System.Globalization;
using System.Text;
using Nectr.Engine.Findings;

namespace Nectr.Engine.Review;

/// <summary>
/// Renders the review. Plain Markdown only: no images, no links, no @-mentions, no raw HTML beyond the
/// <c>&lt;details&gt;</c> fold for long lists and the hidden marker.
/// </summary>
internal static class Markdown
{
    private const int FoldAfter = 10;
    private const int MaxListed = 150;

    public static string InlineBody(Finding finding)
    {
        var text = new StringBuilder();
        text.Append("**").Append(Icon(finding.Severity)).Append(' ').Append(Name(finding.Severity)).Append(" · ")
            .Append(finding.Category).Append("** — ").Append(finding.Title).Append("\n\n").Append(finding.Body);
        // The pipeline already checked the suggestion; checking the text again here keeps a fence-breaking
        // suggestion from any other source out of the comment.
        if (finding.Suggestion is { } suggestion && Suggestions.IsSafeText(suggestion))
        {
            text.Append("\n\n```suggestion\n").Append(suggestion.TrimEnd('\n')).Append("\n```");
        }

        return text.ToString();
    }

    /// <summary>
    /// The review body. With <paramref name="inlineRefused"/> every finding is written out in the body: the body
    /// to post when GitHub refuses the inline comments (then <paramref name="unanchored"/> is every finding).
    /// </summary>
    public static string Body(ReviewRequest request, IReadOnlyList<Finding> findings, IReadOnlyList<Finding> unanchored, Coverage coverage, ReviewView view, bool inlineRefused = false)
    {
        var text = new StringBuilder();
        text.Append("## Nectr review\n\n");
        text.Append(VerdictLine(view)).Append("\n\n");
        text.Append(view.Summary is { Length: > 0 } summary ? summary : Summary(findings)).Append("\n\n");
        if (view.KeyChanges.Count > 0)
        {
            text.Append("**Key changes**\n\n");
            foreach (var change in view.KeyChanges)
            {
                text.Append("- ").Append(change.ReplaceLineEndings(" ")).Append('\n');
            }

            text.Append('\n');
        }

        foreach (var note in view.Notes)
        {
            text.Append("> [!NOTE]\n> ").Append(note).Append("\n\n");
        }

        text.Append(view.Context);

        if (findings.Count > 0)
        {
            text.Append("### Findings\n\n");
            foreach (var group in findings.GroupBy(f => f.Severity).OrderBy(g => g.Key))
            {
                foreach (var finding in group.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line))
                {
                    text.Append("- ").Append(Icon(finding.Severity)).Append(" **").Append(Name(finding.Severity)).Append("** `")
                        .Append(Code(finding.File)).Append(':').Append(Lines(finding)).Append("` — ").Append(finding.Title).Append('\n');
                }
            }

            text.Append('\n');
        }

        if (unanchored.Count > 0)
        {
            text.Append(inlineRefused
                ? "### Findings that could not be placed inline\n\nGitHub refused the inline comments for this commit, so every finding is written out here:\n\n"
                : "### Not placed inline\n\nThese findings are not on a line GitHub can comment on (or exceed the inline-comment limit):\n\n");
            foreach (var finding in unanchored)
            {
                text.Append("- `").Append(Code(finding.File)).Append(':').Append(Lines(finding)).Append("` ")
                    .Append(InlineBody(finding).ReplaceLineEndings("\n  ")).Append('\n');
            }

            text.Append('\n');
        }

        // The tail (coverage, footer, marker) always survives; when the whole is too long for GitHub, the
        // findings lists give way (every finding stays in the review record and the inline comments).
        var tail = CoverageSection(coverage) + "\n" + Footer(view) + "\n\n" + ReviewMarker.For(request.HeadSha, request.JobId) + "\n";
        return BodyLimit.Truncate(text.ToString(), BodyLimit.MaxBody - tail.Length) + tail;
    }

    /// <summary>A bulleted list of at most <see cref="MaxListed"/> items; the rest are counted, not dropped silently.</summary>
    private static void AppendList(StringBuilder text, List<string> items)
    {
        foreach (var item in items.Take(MaxListed))
        {
            text.Append("- ").Append(item).Append('\n');
        }

        if (items.Count > MaxListed)
        {
            text.Append(CultureInfo.InvariantCulture, $"- … and {items.Count - MaxListed} more (the full list is stored with the review)\n");
        }
    }

    /// <summary>The usage line: model, calls, tokens and cost (or that only the built-in checks ran). The sticky summary shows it too.</summary>
    internal static string Footer(ReviewView view)
    {
        const string builtIn = "built-in checks: leaked secrets (gitleaks rules) and merge-conflict markers, on added lines";
        if (view.Model is null)
        {
            return $"<sub>Reviewed by the {builtIn}.</sub>";
        }

        var usage = view.Usage;
        var cost = usage.CostUsd is { } usd ? usd.ToString("$0.0000", CultureInfo.InvariantCulture) : "price unknown";
        var confidence = view.Confidence is { } c ? string.Create(CultureInfo.InvariantCulture, $" · confidence {c}/5") : "";
        return string.Create(CultureInfo.InvariantCulture,
            $"<sub>Reviewed by `{Code(view.Model)}` and the {builtIn} · {usage.Calls} model call{(usage.Calls == 1 ? "" : "s")} · {usage.InputTokens:N0} input + {usage.OutputTokens:N0} output tokens · {cost}{confidence}. The verdict is computed from the findings; the model cannot approve.</sub>");
    }

    /// <summary>
    /// The verdict line. Without a model only the built-in checks looked at the change, so a clean result is not
    /// an approval of the change: it says what ran and what did not.
    /// </summary>
    internal static string VerdictLine(ReviewView view) => view.Model is null && view.Verdict == Verdict.Approve
        ? "**Verdict: no findings from the built-in checks** — no model reviewed this change (set LLM_PROVIDER and its key for an AI review)"
        : $"**Verdict: {VerdictName(view.Verdict)}** — {view.VerdictReason}";

    internal static string VerdictName(Verdict verdict) => verdict switch
    {
        Verdict.RequestChanges => "request changes",
        Verdict.NeedsDiscussion => "needs discussion",
        _ => "approve",
    };

    private static string Summary(IReadOnlyList<Finding> findings)
    {
        if (findings.Count == 0)
        {
            return "No issues found by the built-in checks.";
        }

        var counts = findings.GroupBy(f => f.Severity).OrderBy(g => g.Key)
            .Select(g => $"{g.Count()} {Name(g.Key).ToLowerInvariant()}");
        return $"**{findings.Count} finding{(findings.Count == 1 ? "" : "s")}** from the built-in checks: {string.Join(", ", counts)}.";
    }

    internal static string CoverageSection(Coverage coverage) => FilesCoverage(coverage) + ModelCoverage(coverage) + ContextCoverage(coverage);

    /// <summary>One line naming each source of context the review went without, so a thin review says so.</summary>
    private static string ContextCoverage(Coverage coverage)
    {
        if (coverage.ContextGaps.Count == 0)
        {
            return "";
        }

        var gaps = coverage.ContextGaps.Take(8).Select(g => $"{Plain(g.Source)} ({Plain(g.Reason)})");
        return "\nReviewed without: " + string.Join("; ", gaps) + ".\n";

        // Nectr's own words, but a reason can quote an error message from GitHub or a provider: one short line with
        // nothing Markdown or GitHub would act on (no mention, link or autolink, HTML, emphasis or code; an underscore inside
        // a word, as in DATABASE_URL, is not emphasis on GitHub).
        static string Plain(string text)
        {
            var line = new string(text.ReplaceLineEndings(" ").Where(c => !char.IsControl(c) && "`<>@[]|*\\~".IndexOf(c, StringComparison.Ordinal) < 0).ToArray())
                .Replace("://", ":", StringComparison.Ordinal).Trim();
            line = System.Text.RegularExpressions.Regex.Replace(line, "(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])", "", System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromSeconds(1));
            return line.Length > 160 ? line[..160] + "…" : line;
        }
    }

    /// <summary>What the model saw, when one reviewed: files clipped or left out by the token budget are named.</summary>
    private static string ModelCoverage(Coverage coverage)
    {
        if (coverage.ModelReviewedFiles is not { } seen)
        {
            return "";
        }

        var text = new StringBuilder("\n");
        text.Append(CultureInfo.InvariantCulture, $"The model saw {seen} of the {coverage.ReviewedFiles} reviewed file{(coverage.ReviewedFiles == 1 ? "" : "s")}");
        if (coverage.NotSentToModel.Count == 0)
        {
            return text.Append(" in full.\n").ToString();
        }

        var items = coverage.NotSentToModel.Select(s => $"`{Code(s.Path)}` ({s.Reason})").ToList();
        if (items.Count <= FoldAfter)
        {
            return text.Append("; not in full: ").Append(string.Join(", ", items)).Append(".\n").ToString();
        }

        text.Append("; not in full: ").Append(string.Join(", ", coverage.NotSentToModel.GroupBy(s => s.Reason).Select(g => $"{g.Count()} {g.Key}")));
        text.Append(".\n\n<details><summary>Files the model did not see in full</summary>\n\n");
        AppendList(text, items);

        return text.Append("\n</details>\n").ToString();
    }

    private static string FilesCoverage(Coverage coverage)
    {
        var text = new StringBuilder("### Coverage\n\n");
        text.Append(CultureInfo.InvariantCulture, $"Reviewed {coverage.ReviewedFiles} of {coverage.ChangedFiles} file{(coverage.ChangedFiles == 1 ? "" : "s")}");
        if (coverage.Skipped.Count == 0 && coverage.Unlisted == 0)
        {
            return text.Append(".\n").ToString();
        }

        text.Append("; skipped: ");
        var items = coverage.Skipped.Select(s => $"`{Code(s.Path)}` ({s.Reason})").ToList();
        if (coverage.Unlisted > 0)
        {
            items.Add($"{coverage.Unlisted} more file{(coverage.Unlisted == 1 ? "" : "s")} (GitHub lists at most 3,000 files of a pull request)");
        }

        if (items.Count <= FoldAfter)
        {
            return text.Append(string.Join(", ", items)).Append(".\n").ToString();
        }

        var reasons = coverage.Skipped.GroupBy(s => s.Reason).Select(g => $"{g.Count()} {g.Key}");
        text.Append(string.Join(", ", reasons));
        if (coverage.Unlisted > 0)
        {
            text.Append(CultureInfo.InvariantCulture, $", {coverage.Unlisted} not listed by GitHub");
        }

        text.Append(".\n\n<details><summary>Skipped files</summary>\n\n");
        AppendList(text, items);

        return text.Append("\n</details>\n").ToString();
    }

    private static string Lines(Finding finding) =>
        finding.EndLine is { } end && end > finding.Line ? $"{finding.Line}-{end}" : finding.Line.ToString(CultureInfo.InvariantCulture);

    /// <summary>Paths come from the PR: keep them inert inside inline code.</summary>
    private static string Code(string text) => OutputHygiene.InlineCode(text);

    internal static string Icon(Severity severity) => severity switch
    {
        Severity.Critical => "🔴",
        Severity.High => "🟠",
        Severity.Medium => "🟡",
        Severity.Low => "🔵",
        _ => "⚪",
    };

    private static string Name(Severity severity) => severity.ToString();
}
