using Nectr.Engine.Context;
using Nectr.GitHub;

namespace Nectr.Tools;

/// <summary>One issue as a tool shows it; title and body are untrusted text.</summary>
internal sealed record IssueDetails(int Number, string Title, string? Body, string State, bool IsPullRequest);

/// <summary>An open issue that matched a search, best first.</summary>
internal sealed record IssueHit(int Number, string Title);

/// <summary>
/// The issues behind <c>get_issue</c> and <c>search_issues</c>, for one repository. Behind a port because the source
/// changes: today GitHub itself, later the project's own issue index.
/// </summary>
internal interface IIssueLookup
{
    /// <summary>The issue (or pull request) <paramref name="number"/>; null when the repository has none.</summary>
    Task<IssueDetails?> GetAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>Open issues (not pull requests) whose words match <paramref name="query"/>, at most <paramref name="max"/>, best first.</summary>
    Task<IReadOnlyList<IssueHit>> SearchAsync(string owner, string repo, string query, int max, CancellationToken cancellationToken);
}

/// <summary>
/// Issues read from GitHub: <c>GET /issues/{n}</c>, and for a search the first page (100 most recently updated) of the
/// open issues ranked with BM25 (<see cref="TextSearch"/>). One GitHub call per tool call.
/// </summary>
internal sealed class GitHubIssueLookup(IGitHubApi github) : IIssueLookup
{
    public async Task<IssueDetails?> GetAsync(string owner, string repo, int number, CancellationToken cancellationToken)
    {
        try
        {
            var issue = await github.GetIssueAsync(owner, repo, number, cancellationToken);
            return new IssueDetails(issue.Number, issue.Title, issue.Body, issue.State, issue.IsPullRequest);
        }
        catch (GitHubApiException ex) when (ex.Status is System.Net.HttpStatusCode.NotFound or System.Net.HttpStatusCode.Gone)
        {
            return null; // 410: an issue that was deleted or transferred
        }
    }

    public async Task<IReadOnlyList<IssueHit>> SearchAsync(string owner, string repo, string query, int max, CancellationToken cancellationToken)
    {
        var page = await github.ListIssuesPageAsync(owner, repo, "open", 1, cancellationToken);
        var issues = page.Items.Where(i => !i.IsPullRequest).ToList();
        var ranked = TextSearch.Rank(query, [.. issues.Select(i => i.Title + "\n" + i.Body)], max);
        return [.. ranked.Select(i => new IssueHit(issues[i].Number, issues[i].Title))];
    }
}
