using System.Globalization;
using System.Text;
using Nectr.Engine.Prompts;
using Nectr.Knowledge;

namespace Nectr.Context;

/// <summary>
/// The text of the prompt's context blocks. Logins, titles and paths come from GitHub: the engine puts every block
/// inside an untrusted-data block, so here they are only laid out, one fact a line.
/// </summary>
internal static class ContextPrompt
{
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
