using System.Net;
using System.Text.Json.Serialization;

namespace Nectr.GitHub;

/// <summary>
/// What PR comment commands need besides the conversation comments of <c>IGitHubApi.Comments.cs</c>: who may give
/// them, reactions that acknowledge them, and replies in inline threads.
/// </summary>
internal partial interface IGitHubApi
{
    /// <summary>The user's permission on the repository; null when GitHub knows no such user (404).</summary>
    Task<GitHubPermission?> GetCollaboratorPermissionAsync(string owner, string repo, string username, CancellationToken cancellationToken);

    /// <summary>Reacts to a PR conversation comment; GitHub answers an existing reaction with 200, so repeating it is harmless.</summary>
    Task AddIssueCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken);

    /// <summary>Reacts to an inline review comment; as idempotent as <see cref="AddIssueCommentReactionAsync"/>.</summary>
    Task AddReviewCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken);

    /// <summary>Replies in the thread of the top-level review comment <paramref name="commentId"/>. Never retried here.</summary>
    Task<GitHubReviewComment> ReplyToReviewCommentAsync(string owner, string repo, int number, long commentId, string body, CancellationToken cancellationToken);

    /// <summary>The PR's inline review comments (at most 3,000).</summary>
    Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken);
}

/// <summary><see cref="Permission"/> is admin, write, read or none; <see cref="RoleName"/> also says maintain or triage.</summary>
internal sealed record GitHubPermission(string? Permission, string? RoleName);

internal sealed record GitHubReactionRequest(string Content);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GitHubPermission))]
[JsonSerializable(typeof(GitHubReviewComment))]
[JsonSerializable(typeof(List<GitHubReviewComment>))]
[JsonSerializable(typeof(GitHubReactionRequest))]
internal sealed partial class GitHubCommandsJsonContext : JsonSerializerContext;

internal sealed partial class GitHubApi
{
    public async Task<GitHubPermission?> GetCollaboratorPermissionAsync(string owner, string repo, string username, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/collaborators/{Escape(username)}/permission";
        using var request = Request(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        return await ReadAsync(response, GitHubCommandsJsonContext.Default.GitHubPermission, cancellationToken);
    }

    public Task AddIssueCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) =>
        PostAsync($"repos/{Escape(owner)}/{Escape(repo)}/issues/comments/{commentId}/reactions",
            JsonContent.Create(new GitHubReactionRequest(content), GitHubCommandsJsonContext.Default.GitHubReactionRequest), cancellationToken);

    public Task AddReviewCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) =>
        PostAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/comments/{commentId}/reactions",
            JsonContent.Create(new GitHubReactionRequest(content), GitHubCommandsJsonContext.Default.GitHubReactionRequest), cancellationToken);

    public Task<GitHubReviewComment> ReplyToReviewCommentAsync(string owner, string repo, int number, long commentId, string body, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, $"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/comments/{commentId}/replies",
            JsonContent.Create(new IssueCommentRequest(body), GitHubCommentsJsonContext.Default.IssueCommentRequest),
            GitHubCommandsJsonContext.Default.GitHubReviewComment, cancellationToken);

    public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/comments?per_page=100", GitHubCommandsJsonContext.Default.ListGitHubReviewComment, MaxCommentPages, cancellationToken);

    private async Task PostAsync(string path, HttpContent content, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Content = content;
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "POST", path, cancellationToken);
    }
}

internal sealed partial class ScopedGitHubApi
{
    public Task<GitHubPermission?> GetCollaboratorPermissionAsync(string owner, string repo, string username, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetCollaboratorPermissionAsync(owner, repo, username, cancellationToken));

    public Task AddIssueCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) =>
        InScopeAsync(async api => { await api.AddIssueCommentReactionAsync(owner, repo, commentId, content, cancellationToken); return true; });

    public Task AddReviewCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) =>
        InScopeAsync(async api => { await api.AddReviewCommentReactionAsync(owner, repo, commentId, content, cancellationToken); return true; });

    public Task<GitHubReviewComment> ReplyToReviewCommentAsync(string owner, string repo, int number, long commentId, string body, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ReplyToReviewCommentAsync(owner, repo, number, commentId, body, cancellationToken));

    public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListReviewCommentsAsync(owner, repo, number, cancellationToken));
}
