using System.Globalization;
using System.Text;
using Nectr.Engine.Context;
using Nectr.Engine.Findings;

namespace Nectr.Engine.Review;

/// <summary>
/// The review body's context sections: <b>Resolved issues</b> (linked with a closing keyword), <b>Potentially
/// resolves</b> (candidates the model confirmed with confidence ≥ <see cref="MinConfidence"/>), <b>Related past
/// work</b> and <b>May conflict with open PRs</b>. An empty part has no section. Titles and paths come from GitHub
/// and reasons from the model: titles and reasons go through <see cref="OutputHygiene"/> (no HTML, mentions,
/// commands or off-repository links), paths sit in inline code. References are written as GitHub's own
/// <c>#12</c> / <c>owner/repo#12</c>, which GitHub links on its host; Nectr writes no URL of its own.
/// </summary>
internal static class ContextSections
{
    public const int MinConfidence = 4;

    /// <summary>Entries listed per section; the host sends fewer, this bounds what a bug or a hostile index could add.</summary>
    private const int MaxEntries = 10;

    private const int MaxPaths = 5;

    private const int MaxTitleChars = 200;

    public static string Render(ReviewRequest request, ReviewContext context, ModelAnswer? answer)
    {
        var text = new StringBuilder();
        var linked = context.LinkedIssues.Take(IssueReferences.MaxReferences)
            .Select(l => $"{Reference(l.Issue, request)} — {Title(l.Title, request)}").ToList();
        Section(text, "Resolved issues", linked, context.LinkedIssues.Count);

        var confirmed = Confirmed(context, answer, request)
            .Select(c => $"#{Number(c.Candidate.Number)} — {Title(c.Candidate.Title, request)} (confidence {Number(c.Claim.Confidence)}/5){Reason(c.Claim.Reason, request)}")
            .ToList();
        Section(text, "Potentially resolves", confirmed, confirmed.Count);

        var related = context.RelatedPullRequests.Take(MaxEntries)
            .Select(p => $"#{Number(p.Number)} — {Title(p.Title, request)} ({VerdictText(p.Verdict)}; shared: {Paths(p.SharedFiles)})").ToList();
        Section(text, "Related past work", related, context.RelatedPullRequests.Count);

        var conflicts = context.OpenConflicts.Take(MaxEntries)
            .Select(p => $"#{Number(p.Number)} — {Title(p.Title, request)} (shared: {Paths(p.SharedPaths)})").ToList();
        Section(text, "May conflict with open PRs", conflicts, context.OpenConflicts.Count);
        return text.ToString();
    }

    /// <summary>
    /// The model's claims that count: confidence high enough, for an issue Nectr offered as a candidate (never one the
    /// model made up) that is not linked already; in the candidates' order.
    /// </summary>
    internal static IEnumerable<(IssueCandidate Candidate, ModelResolution Claim)> Confirmed(ReviewContext context, ModelAnswer? answer, ReviewRequest request)
    {
        if (answer is null || answer.Resolves.Count == 0)
        {
            return [];
        }

        var linked = context.LinkedIssues.Where(l => l.Issue.IsIn(request.Owner, request.Repo)).Select(l => l.Issue.Number).ToHashSet();
        var claims = answer.Resolves.Where(r => r.Confidence >= MinConfidence).GroupBy(r => r.Number).ToDictionary(g => g.Key, g => g.First());
        return context.Candidates.DistinctBy(c => c.Number).Take(MaxEntries)
            .Where(c => !linked.Contains(c.Number) && claims.ContainsKey(c.Number))
            .Select(c => (c, claims[c.Number]));
    }

    private static void Section(StringBuilder text, string heading, List<string> items, int total)
    {
        if (items.Count == 0)
        {
            return;
        }

        text.Append("### ").Append(heading).Append("\n\n");
        foreach (var item in items)
        {
            text.Append("- ").Append(item).Append('\n');
        }

        if (total > items.Count)
        {
            text.Append(CultureInfo.InvariantCulture, $"- … and {total - items.Count} more\n");
        }

        text.Append('\n');
    }

    /// <summary><c>#12</c> in the PR's repository, <c>owner/repo#12</c> elsewhere; a name GitHub would not allow stays inert code.</summary>
    private static string Reference(IssueReference issue, ReviewRequest request)
    {
        var reference = issue.ShortForm(request.Owner, request.Repo);
        return issue.Number > 0 && (issue.IsIn(request.Owner, request.Repo) || (IssueReference.IsOwnerName(issue.Owner) && IssueReference.IsRepoName(issue.Repo)))
            ? reference
            : $"`{OutputHygiene.InlineCode(reference)}`";
    }

    private static string Title(string? title, ReviewRequest request)
    {
        var line = (title ?? "").ReplaceLineEndings(" ").Trim();
        if (line.Length > MaxTitleChars)
        {
            line = line[..(char.IsHighSurrogate(line[MaxTitleChars - 1]) ? MaxTitleChars - 1 : MaxTitleChars)] + "…";
        }

        var clean = OutputHygiene.Clean(line, request.Owner, request.Repo).Trim();
        return clean.Length == 0 ? "(no title)" : clean;
    }

    private static string Reason(string reason, ReviewRequest request)
    {
        var clean = OutputHygiene.Clean(reason.ReplaceLineEndings(" "), request.Owner, request.Repo).Trim();
        return clean.Length == 0 ? "" : ": " + clean;
    }

    private static string Paths(IReadOnlyList<string> paths)
    {
        var listed = string.Join(", ", paths.Take(MaxPaths).Select(p => $"`{OutputHygiene.InlineCode(p)}`"));
        return paths.Count > MaxPaths ? string.Create(CultureInfo.InvariantCulture, $"{listed} and {paths.Count - MaxPaths} more") : listed;
    }

    private static string VerdictText(Verdict? verdict) => verdict is { } v ? Markdown.VerdictName(v) : "not reviewed by Nectr";

    private static string Number(int number) => number.ToString(CultureInfo.InvariantCulture);
}
