using System.Net;
using System.Text;
using System.Text.Json;

namespace Nectr.GitHub;

/// <summary>The reads behind a review's context: issues, commit messages, files at a ref, trees, PR lists.</summary>
internal partial interface IGitHubApi
{
    /// <summary>One issue (or pull request, through the issues API); a missing one is a 404 <see cref="GitHubApiException"/>.</summary>
    Task<GitHubIssue> GetIssueAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>
    /// One page (1-based, 100 per page) of the repository's issues in <paramref name="state"/> (open, closed, all),
    /// most recently updated first. GitHub lists pull requests here too (<see cref="GitHubIssue.IsPullRequest"/>).
    /// </summary>
    Task<GitHubPage<GitHubIssue>> ListIssuesPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken);

    /// <summary>One page (1-based, 100 per page) of the repository's pull requests in <paramref name="state"/>, most recently updated first.</summary>
    Task<GitHubPage<GitHubPullRequest>> ListPullRequestsPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken);

    /// <summary>The PR's first 100 commits (one call); their messages can link issues.</summary>
    Task<IReadOnlyList<GitHubCommit>> ListPullRequestCommitsAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>
    /// A file's text at <paramref name="gitRef"/> (null: the default branch). Null when there is no such file (or the
    /// path is a directory); <see cref="GitHubFileText.Text"/> is null when the file is larger than
    /// <paramref name="maxBytes"/> or is not UTF-8 text.
    /// </summary>
    Task<GitHubFileText?> GetFileTextAsync(string owner, string repo, string path, string? gitRef, int maxBytes, CancellationToken cancellationToken);

    /// <summary>The tree at <paramref name="treeish"/> (a branch, tag or SHA); recursive lists every path (GitHub truncates very large trees).</summary>
    Task<GitHubTree> GetTreeAsync(string owner, string repo, string treeish, bool recursive, CancellationToken cancellationToken);

    Task<GitHubRepositoryInfo> GetRepositoryInfoAsync(string owner, string repo, CancellationToken cancellationToken);
}

internal sealed partial class GitHubApi
{
    public Task<GitHubIssue> GetIssueAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        GetAsync($"repos/{Escape(owner)}/{Escape(repo)}/issues/{number}", GitHubContextJsonContext.Default.GitHubIssue, cancellationToken);

    public Task<GitHubPage<GitHubIssue>> ListIssuesPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) =>
        GetPageAsync($"repos/{Escape(owner)}/{Escape(repo)}/issues?state={Escape(state)}&sort=updated&direction=desc&per_page=100&page={page}",
            GitHubContextJsonContext.Default.ListGitHubIssue, cancellationToken);

    public Task<GitHubPage<GitHubPullRequest>> ListPullRequestsPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) =>
        GetPageAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls?state={Escape(state)}&sort=updated&direction=desc&per_page=100&page={page}",
            GitHubContextJsonContext.Default.ListGitHubPullRequest, cancellationToken);

    public async Task<IReadOnlyList<GitHubCommit>> ListPullRequestCommitsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        (await GetPageAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/commits?per_page=100&page=1",
            GitHubContextJsonContext.Default.ListGitHubCommit, cancellationToken)).Items;

    public async Task<GitHubFileText?> GetFileTextAsync(string owner, string repo, string path, string? gitRef, int maxBytes, CancellationToken cancellationToken)
    {
        var escapedPath = string.Join('/', path.Split('/').Select(Escape));
        var uri = $"repos/{Escape(owner)}/{Escape(repo)}/contents/{escapedPath}" + (gitRef is null ? "" : $"?ref={Escape(gitRef)}");
        using var request = Request(HttpMethod.Get, new Uri(uri, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "GET", uri, cancellationToken);
        using var document = await ReadAsync(response, GitHubContextJsonContext.Default.JsonDocument, cancellationToken);
        if (document.RootElement.ValueKind != JsonValueKind.Object)
        {
            return null; // A directory lists its entries.
        }

        var content = document.RootElement.Deserialize(GitHubContextJsonContext.Default.GitHubContent);
        if (content is null || content.Type != "file")
        {
            return null;
        }

        return new GitHubFileText(content.Path, content.Size, content.Size > maxBytes ? null : Decode(content));
    }

    public Task<GitHubTree> GetTreeAsync(string owner, string repo, string treeish, bool recursive, CancellationToken cancellationToken) =>
        GetAsync($"repos/{Escape(owner)}/{Escape(repo)}/git/trees/{Escape(treeish)}" + (recursive ? "?recursive=1" : ""),
            GitHubContextJsonContext.Default.GitHubTree, cancellationToken);

    public Task<GitHubRepositoryInfo> GetRepositoryInfoAsync(string owner, string repo, CancellationToken cancellationToken) =>
        GetAsync($"repos/{Escape(owner)}/{Escape(repo)}", GitHubContextJsonContext.Default.GitHubRepositoryInfo, cancellationToken);

    private async Task<GitHubPage<T>> GetPageAsync<T>(string path, System.Text.Json.Serialization.Metadata.JsonTypeInfo<List<T>> type, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        var items = await ReadAsync(response, type, cancellationToken);
        return new GitHubPage<T>(items, LinkHeader.Next(response) is not null);
    }

    /// <summary>UTF-8 text without NUL; anything else (binary, another encoding, a file above GitHub's 1 MB inline limit) is null.</summary>
    private static string? Decode(GitHubContent content)
    {
        if (content.Encoding != "base64" || content.Content is null)
        {
            return content.Size == 0 ? "" : null;
        }

        try
        {
            var bytes = Convert.FromBase64String(content.Content.Replace("\n", "", StringComparison.Ordinal));
            var text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
            return text.Contains('\0', StringComparison.Ordinal) ? null : text;
        }
        catch (Exception ex) when (ex is FormatException or DecoderFallbackException)
        {
            return null;
        }
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<GitHubIssue> GetIssueAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetIssueAsync(owner, repo, number, cancellationToken));

    public Task<GitHubPage<GitHubIssue>> ListIssuesPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListIssuesPageAsync(owner, repo, state, page, cancellationToken));

    public Task<GitHubPage<GitHubPullRequest>> ListPullRequestsPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListPullRequestsPageAsync(owner, repo, state, page, cancellationToken));

    public Task<IReadOnlyList<GitHubCommit>> ListPullRequestCommitsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListPullRequestCommitsAsync(owner, repo, number, cancellationToken));

    public Task<GitHubFileText?> GetFileTextAsync(string owner, string repo, string path, string? gitRef, int maxBytes, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetFileTextAsync(owner, repo, path, gitRef, maxBytes, cancellationToken));

    public Task<GitHubTree> GetTreeAsync(string owner, string repo, string treeish, bool recursive, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetTreeAsync(owner, repo, treeish, recursive, cancellationToken));

    public Task<GitHubRepositoryInfo> GetRepositoryInfoAsync(string owner, string repo, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetRepositoryInfoAsync(owner, repo, cancellationToken));
}
