using System.Globalization;
using System.Text;
using Nectr.Engine.Prompts;
using Nectr.Issues;
using Nectr.Knowledge;

namespace Nectr.Context;

/// <summary>
/// The text of the prompt's context blocks. Logins, titles and paths come from GitHub: the engine puts every block
/// inside an untrusted-data block, so here they are only laid out, one fact a line.
/// </summary>
internal static class ContextPrompt
{
    /// <summary>One block per linked issue that was read: its reference, state and title, then its body.</summary>
    public static IEnumerable<ContextBlock> LinkedIssues(IReadOnlyList<LinkedIssueDetails> issues) =>
        issues.Where(i => i.State != LinkedIssueDetails.NotRead).Select(i => new ContextBlock(
            ContextKind.LinkedIssue,
            $"#{i.Issue.Issue.Number.ToString(CultureInfo.InvariantCulture)} ({i.State}): {i.Issue.Title}",
            string.IsNullOrWhiteSpace(i.Body) ? "(no description)" : i.Body));

    /// <summary>The open issues the change might resolve, by the number the model answers with in <c>resolves</c>.</summary>
    public static ContextBlock Candidates(IReadOnlyList<Engine.Context.IssueCandidate> candidates)
    {
        var text = new StringBuilder();
        foreach (var candidate in candidates)
        {
            text.Append(CultureInfo.InvariantCulture, $"- #{candidate.Number}: {candidate.Title}\n");
        }

        return new ContextBlock(ContextKind.CandidateIssue, "", text.ToString());
    }

    public static IReadOnlyList<ContextBlock> History(
        IReadOnlyList<FileExpert> experts, IReadOnlyList<OverlappingPullRequest> related, IReadOnlyList<OverlappingPullRequest> conflicts)
    {
        var blocks = new List<ContextBlock>();
        if (experts.Count > 0)
        {
            var text = new StringBuilder("Authors of earlier pull requests that changed these files, most first:\n");
            foreach (var expert in experts)
            {
                text.Append(CultureInfo.InvariantCulture, $"- {expert.Login}: {expert.PullRequests} pull request{(expert.PullRequests == 1 ? "" : "s")}\n");
            }

            blocks.Add(new ContextBlock(ContextKind.FileExperts, "", text.ToString()));
        }

        if (related.Count > 0)
        {
            blocks.Add(new ContextBlock(ContextKind.RelatedPullRequest, "Earlier pull requests that changed the same files", Lines(related, past: true)));
        }

        if (conflicts.Count > 0)
        {
            blocks.Add(new ContextBlock(ContextKind.RelatedPullRequest, "Open pull requests that change the same files (possible conflicts)", Lines(conflicts, past: false)));
        }

        return blocks;
    }

    /// <summary>How many of the PR's files the history block names: the riskiest first.</summary>
    private const int MaxRiskyFiles = 10;

    /// <summary>
    /// The PR's files that are hotspots (changed by several pull requests) or high-risk (changed by pull requests Nectr
    /// sent back with "request changes"); a file with one quiet change is not news and is left out.
    /// </summary>
    public static IEnumerable<ContextBlock> Risks(IReadOnlyList<FileRisk> risks)
    {
        var notable = risks.Where(r => r.ChangesRequested > 0 || r.PullRequests >= 3).Take(MaxRiskyFiles).ToList();
        if (notable.Count == 0)
        {
            yield break;
        }

        var text = new StringBuilder("Changed files with a history, riskiest first:\n");
        foreach (var risk in notable)
        {
            text.Append(CultureInfo.InvariantCulture, $"- {risk.Path}: changed by {risk.PullRequests} pull request{(risk.PullRequests == 1 ? "" : "s")}");
            text.Append(risk.ChangesRequested > 0 ? string.Create(CultureInfo.InvariantCulture, $", {risk.ChangesRequested} of them sent back with \"request changes\"\n") : "\n");
        }

        yield return new ContextBlock(ContextKind.FileHistory, "", text.ToString());
    }

    private static string Lines(IReadOnlyList<OverlappingPullRequest> pulls, bool past)
    {
        var text = new StringBuilder();
        foreach (var pr in pulls)
        {
            text.Append(CultureInfo.InvariantCulture, $"- #{pr.Number} \"{pr.Title}\" by {pr.AuthorLogin}");
            if (past)
            {
                text.Append(pr.MergedAt is { } merged ? string.Create(CultureInfo.InvariantCulture, $", merged {merged:yyyy-MM-dd}") : ", closed unmerged");
                text.Append(pr.Verdict is { } verdict ? $", Nectr's verdict: {verdict.Replace('_', ' ')}" : "");
            }

            text.Append(CultureInfo.InvariantCulture, $"; shares {pr.SharedFiles} file{(pr.SharedFiles == 1 ? "" : "s")}: {string.Join(", ", pr.SharedPaths)}\n");
        }

        return text.ToString();
    }
}
