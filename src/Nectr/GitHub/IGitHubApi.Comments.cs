namespace Nectr.GitHub;

/// <summary>Issue comments on a pull request (the sticky summary) and the dismissal of Nectr's own blocking review.</summary>
internal partial interface IGitHubApi
{
    /// <summary>The PR's issue comments, oldest first, 100 per page (at most <see cref="GitHubApi.MaxCommentPages"/> pages).</summary>
    Task<IReadOnlyList<GitHubIssueComment>> ListIssueCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>Posts one issue comment. Never retried here: a caller unsure whether it landed must look for it first.</summary>
    Task<GitHubIssueComment> CreateIssueCommentAsync(string owner, string repo, int number, string body, CancellationToken cancellationToken);

    /// <summary>Replaces a comment's body; a comment that is gone is a 404 <see cref="GitHubApiException"/>.</summary>
    Task<GitHubIssueComment> UpdateIssueCommentAsync(string owner, string repo, long commentId, string body, CancellationToken cancellationToken);

    /// <summary>One review of the PR; a missing one is a 404 <see cref="GitHubApiException"/>.</summary>
    Task<GitHubReview> GetReviewAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken);

    /// <summary>Dismisses a review with <paramref name="message"/>; one already dismissed (or not dismissable) is a 422.</summary>
    Task<GitHubReview> DismissReviewAsync(string owner, string repo, int number, long reviewId, string message, CancellationToken cancellationToken);
}
