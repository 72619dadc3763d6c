namespace Nectr.GitHub;

/// <summary>
/// <see cref="IGitHubApi"/> for a singleton that reads GitHub outside any job (the live-state cache): each call runs
/// in its own DI scope, so it gets the scope's first-attempt <see cref="Jobs.RetryBudget"/> instead of capturing one
/// budget for the life of the process.
/// </summary>
internal sealed partial class ScopedGitHubApi(IServiceScopeFactory scopes) : IGitHubApi
{
    public Task<GitHubPullRequest> GetPullRequestAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.GetPullRequestAsync(owner, repo, number, cancellationToken));

    public Task<IReadOnlyList<GitHubPullRequestFile>> ListPullRequestFilesAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListPullRequestFilesAsync(owner, repo, number, cancellationToken));

    public Task<IReadOnlyList<GitHubReview>> ListReviewsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.ListReviewsAsync(owner, repo, number, cancellationToken));

    public Task<GitHubReview> CreateReviewAsync(string owner, string repo, int number, CreateReviewRequest review, CancellationToken cancellationToken) =>
        InScopeAsync(api => api.CreateReviewAsync(owner, repo, number, review, cancellationToken));

    private async Task<T> InScopeAsync<T>(Func<IGitHubApi, Task<T>> call)
    {
        await using var scope = scopes.CreateAsyncScope();
        return await call(scope.ServiceProvider.GetRequiredService<IGitHubApi>());
    }
}
