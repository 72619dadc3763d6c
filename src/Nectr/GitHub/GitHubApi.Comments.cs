namespace Nectr.GitHub;

internal sealed partial class GitHubApi
{
    /// <summary>3,000 comments: a PR with more is beyond what the summary's lookup reads.</summary>
    public const int MaxCommentPages = 30;

    public Task<IReadOnlyList<GitHubIssueComment>> ListIssueCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"repos/{Escape(owner)}/{Escape(repo)}/issues/{number}/comments?per_page=100",
            GitHubCommentsJsonContext.Default.ListGitHubIssueComment, MaxCommentPages, cancellationToken);

    public Task<GitHubIssueComment> CreateIssueCommentAsync(string owner, string repo, int number, string body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"repos/{Escape(owner)}/{Escape(repo)}/issues/{number}/comments",
            JsonContent.Create(new IssueCommentRequest(body), GitHubCommentsJsonContext.Default.IssueCommentRequest),
            GitHubCommentsJsonContext.Default.GitHubIssueComment, cancellationToken);

    public Task<GitHubIssueComment> UpdateIssueCommentAsync(string owner, string repo, long commentId, string body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"repos/{Escape(owner)}/{Escape(repo)}/issues/comments/{commentId}",
            JsonContent.Create(new IssueCommentRequest(body), GitHubCommentsJsonContext.Default.IssueCommentRequest),
            GitHubCommentsJsonContext.Default.GitHubIssueComment, cancellationToken);

    public Task<GitHubReview> GetReviewAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) =>
        GetAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/reviews/{reviewId}", GitHubJsonContext.Default.GitHubReview, cancellationToken);

    public Task<GitHubReview> DismissReviewAsync(string owner, string repo, int number, long reviewId, string message, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Put, $"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/reviews/{reviewId}/dismissals",
            JsonContent.Create(new DismissReviewRequest(message, "DISMISS"), GitHubCommentsJsonContext.Default.DismissReviewRequest),
            GitHubJsonContext.Default.GitHubReview, cancellationToken);

    /// <summary>One write with a JSON body; writes are never retried by the pipeline (only GET and HEAD are).</summary>
    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent content, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = Request(method, new Uri(path, UriKind.Relative));
        request.Content = content;
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, method.Method, path, cancellationToken);
        return await ReadAsync(response, type, cancellationToken);
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<IReadOnlyList<GitHubIssueComment>> ListIssueCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListIssueCommentsAsync(owner, repo, number, cancellationToken));

    public Task<GitHubIssueComment> CreateIssueCommentAsync(string owner, string repo, int number, string body, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.CreateIssueCommentAsync(owner, repo, number, body, cancellationToken));

    public Task<GitHubIssueComment> UpdateIssueCommentAsync(string owner, string repo, long commentId, string body, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.UpdateIssueCommentAsync(owner, repo, commentId, body, cancellationToken));

    public Task<GitHubReview> GetReviewAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetReviewAsync(owner, repo, number, reviewId, cancellationToken));

    public Task<GitHubReview> DismissReviewAsync(string owner, string repo, int number, long reviewId, string message, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.DismissReviewAsync(owner, repo, number, reviewId, message, cancellationToken));
}
