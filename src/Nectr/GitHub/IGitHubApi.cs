namespace Nectr.GitHub;

/// <summary>The narrow port to GitHub's REST API that reviews need. Tests replace GitHub, not this interface.</summary>
internal partial interface IGitHubApi
{
    Task<GitHubPullRequest> GetPullRequestAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>All files of the PR, 100 per page, up to GitHub's limit of 3,000.</summary>
    Task<IReadOnlyList<GitHubPullRequestFile>> ListPullRequestFilesAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    Task<IReadOnlyList<GitHubReview>> ListReviewsAsync(string owner, string repo, int number, CancellationToken cancellationToken);

    /// <summary>Posts one review. Never retried here: a caller that is unsure whether it landed must look for it first.</summary>
    Task<GitHubReview> CreateReviewAsync(string owner, string repo, int number, CreateReviewRequest review, CancellationToken cancellationToken);
}
