using System.Net;
using System.Text.Json.Serialization;

namespace Nectr.GitHub;

/// <summary>Repository statistics GitHub computes in the background (analytics' graph).</summary>
internal partial interface IGitHubApi
{
    /// <summary>
    /// <c>GET /repos/{owner}/{repo}/stats/contributors</c>: each contributor's commits, additions and deletions per week.
    /// Null while GitHub is still computing them (it answers 202 and asks to come back); empty for an empty repository (204).
    /// </summary>
    Task<IReadOnlyList<GitHubContributorActivity>?> GetContributorStatsAsync(string owner, string repo, CancellationToken cancellationToken);
}

internal sealed partial class GitHubApi
{
    public async Task<IReadOnlyList<GitHubContributorActivity>?> GetContributorStatsAsync(string owner, string repo, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/stats/contributors";
        using var request = Request(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.Accepted:
                return null;
            case HttpStatusCode.NoContent:
                return [];
            default:
                await EnsureSuccessAsync(response, "GET", path, cancellationToken);
                return await ReadAsync(response, GitHubStatsJsonContext.Default.ListGitHubContributorActivity, cancellationToken);
        }
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<IReadOnlyList<GitHubContributorActivity>?> GetContributorStatsAsync(string owner, string repo, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetContributorStatsAsync(owner, repo, cancellationToken));
}

/// <summary>One week of a contributor's activity: the week's start (Unix seconds), additions, deletions, commits.</summary>
internal sealed record GitHubContributorWeek(long W, long A, long D, int C);

/// <summary>A contributor's activity; <see cref="Author"/> is null for commits GitHub could not tie to an account.</summary>
internal sealed record GitHubContributorActivity(GitHubUser? Author, int Total, IReadOnlyList<GitHubContributorWeek>? Weeks);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(List<GitHubContributorActivity>))]
internal sealed partial class GitHubStatsJsonContext : JsonSerializerContext;
