using Nectr.GitHub;
using Nectr.Tools;

namespace Nectr.Issues;

/// <summary>
/// The model's issue tools where there is a database: <c>search_issues</c> ranks the issue index's open issues (no
/// GitHub call), <c>get_issue</c> still reads GitHub, which has the issue as it is now, pull requests included.
/// </summary>
internal sealed class IndexedIssueLookup(IssueIndex index, IGitHubApi github) : IIssueLookup
{
    private readonly GitHubIssueLookup _github = new(github);

    public Task<Tools.IssueDetails?> GetAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        _github.GetAsync(owner, repo, number, cancellationToken);

    /// <summary>Open issues only, as the tool promises; the index ranks open and closed ones, so ask it for its most.</summary>
    public async Task<IReadOnlyList<IssueHit>> SearchAsync(string owner, string repo, string query, int max, CancellationToken cancellationToken) =>
        [.. (await index.SearchAsync($"{owner}/{repo}", query, IssueIndex.MaxSearchResults, cancellationToken))
            .Where(i => i.State == "open").Take(max).Select(i => new IssueHit(i.Number, i.Title))];
}
