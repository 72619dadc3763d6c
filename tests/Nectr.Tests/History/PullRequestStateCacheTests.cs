using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Nectr.GitHub;

namespace Nectr.Tests.History;

/// <summary>The live-state cache's promises (DESIGN §5), on a fake clock: no sleeps, no real GitHub.</summary>
public sealed class PullRequestStateCacheTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task An_open_PR_is_served_from_the_cache_for_60_seconds_then_asked_again()
    {
        var (cache, github, clock) = Create();

        Assert.Equal(PullRequestLiveState.Open, await cache.GetAsync("o/r", 1, Ct));
        clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Equal(PullRequestLiveState.Open, await cache.GetAsync("o/r", 1, Ct));
        Assert.Equal(1, github.Calls("o/r#1"));

        clock.Advance(TimeSpan.FromSeconds(2));
        github.Set("o/r", 1, "closed", merged: false);
        Assert.Equal(PullRequestLiveState.Closed, await cache.GetAsync("o/r", 1, Ct));
        Assert.Equal(2, github.Calls("o/r#1"));
    }

    [Fact]
    public async Task A_merged_PR_is_served_from_the_cache_for_300_seconds()
    {
        var (cache, github, clock) = Create();
        github.Set("o/r", 2, "closed", merged: true);

        Assert.Equal(PullRequestLiveState.Merged, await cache.GetAsync("o/r", 2, Ct));
        clock.Advance(TimeSpan.FromSeconds(299));
        Assert.Equal(PullRequestLiveState.Merged, await cache.GetAsync("o/r", 2, Ct));
        Assert.Equal(1, github.Calls("o/r#2"));

        clock.Advance(TimeSpan.FromSeconds(2));
        Assert.Equal(PullRequestLiveState.Merged, await cache.GetAsync("o/r", 2, Ct));
        Assert.Equal(2, github.Calls("o/r#2"));
    }

    [Fact]
    public async Task At_500_entries_the_least_recently_used_goes_not_the_oldest()
    {
        var (cache, github, _) = Create();
        for (var n = 1; n <= PullRequestStateCache.Capacity; n++)
        {
            await cache.GetAsync("o/r", n, Ct);
        }

        await cache.GetAsync("o/r", 1, Ct); // #1 is the oldest entry, but now the most recently used
        await cache.GetAsync("o/r", 501, Ct); // one too many: #2, the least recently used, goes

        Assert.Equal(PullRequestStateCache.Capacity, cache.Count);
        await cache.GetAsync("o/r", 1, Ct);
        Assert.Equal(1, github.Calls("o/r#1"));
        await cache.GetAsync("o/r", 2, Ct);
        Assert.Equal(2, github.Calls("o/r#2"));
    }

    [Fact]
    public async Task Fifty_concurrent_misses_of_one_key_make_exactly_one_GitHub_call()
    {
        var (cache, github, _) = Create();
        var gate = github.HoldNext();
        using var joined = new CountdownEvent(50);

        var readers = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            var read = cache.GetAsync("o/r", 3, Ct);
            joined.Signal();
            return await read;
        }, Ct)).ToList();
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10), Ct);
        Assert.True(joined.Wait(TimeSpan.FromSeconds(10), Ct));
        gate.Release();
        var states = await Task.WhenAll(readers);

        Assert.All(states, s => Assert.Equal(PullRequestLiveState.Open, s));
        Assert.Equal(1, github.Calls("o/r#3"));
    }

    [Fact]
    public async Task A_closed_delivery_updates_the_entry_without_a_GitHub_call()
    {
        var (cache, github, _) = Create();
        Assert.Equal(PullRequestLiveState.Open, await cache.GetAsync("o/r", 4, Ct));

        cache.Set("o/r", 4, PullRequestLiveState.Merged);
        cache.Set("o/r", 5, PullRequestLiveState.Closed);

        Assert.Equal(PullRequestLiveState.Merged, await cache.GetAsync("o/r", 4, Ct));
        Assert.Equal(PullRequestLiveState.Closed, await cache.GetAsync("o/r", 5, Ct));
        Assert.Equal(1, github.Calls("o/r#4"));
        Assert.Equal(0, github.Calls("o/r#5"));
    }

    [Fact]
    public async Task A_webhook_that_lands_while_GitHub_is_being_asked_wins_over_the_older_answer()
    {
        var (cache, github, _) = Create();
        var gate = github.HoldNext();
        var read = cache.GetAsync("o/r", 6, Ct);
        await gate.Entered.WaitAsync(TimeSpan.FromSeconds(10), Ct);

        cache.Set("o/r", 6, PullRequestLiveState.Closed);
        gate.Release(); // GitHub answers "open", as it did when the call started

        Assert.Equal(PullRequestLiveState.Closed, await read);
        Assert.Equal(PullRequestLiveState.Closed, await cache.GetAsync("o/r", 6, Ct));
        Assert.Equal(1, github.Calls("o/r#6"));
    }

    [Fact]
    public async Task An_unknown_PR_is_not_cached_and_is_asked_again()
    {
        var (cache, github, _) = Create();
        github.Missing("o/r", 7);

        Assert.Null(await cache.GetAsync("o/r", 7, Ct));
        Assert.Null(await cache.GetAsync("o/r", 7, Ct));
        Assert.Equal(2, github.Calls("o/r#7"));
        Assert.Equal(0, cache.Count);
    }

    private static (PullRequestStateCache Cache, CountingGitHub GitHub, FakeTimeProvider Clock) Create()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 25, 9, 0, 0, TimeSpan.Zero));
        var github = new CountingGitHub();
        return (new PullRequestStateCache(github, clock, NullLogger<PullRequestStateCache>.Instance), github, clock);
    }

    /// <summary>Answers GetPullRequestAsync from a table (open unless told otherwise) and counts calls per PR.</summary>
    private sealed class CountingGitHub : IGitHubApi
    {
        private readonly ConcurrentDictionary<string, int> _calls = new();
        private readonly ConcurrentDictionary<string, (string State, bool Merged)> _states = new();
        private readonly ConcurrentDictionary<string, byte> _missing = new();
        private Hold? _hold;

        public int Calls(string key) => _calls.GetValueOrDefault(key);

        public void Set(string repo, int number, string state, bool merged) => _states[$"{repo}#{number}"] = (state, merged);

        public void Missing(string repo, int number) => _missing[$"{repo}#{number}"] = 0;

        public Hold HoldNext() => _hold = new Hold();

        public async Task<GitHubPullRequest> GetPullRequestAsync(string owner, string repo, int number, CancellationToken cancellationToken)
        {
            var key = $"{owner}/{repo}#{number}";
            _calls.AddOrUpdate(key, 1, (_, n) => n + 1);
            var (state, merged) = _states.GetValueOrDefault(key, ("open", false));
            if (Interlocked.Exchange(ref _hold, null) is { } hold)
            {
                hold.Enter();
                await hold.Released;
            }

            if (_missing.ContainsKey(key))
            {
                throw new GitHubApiException(System.Net.HttpStatusCode.NotFound, "GET", $"/repos/{owner}/{repo}/pulls/{number}", "Not Found");
            }

            var head = new GitHubBranchRef("abc", "feature", null);
            return new GitHubPullRequest(number, state, false, "t", null, head, head, 1, merged, $"https://github.com/{key}", null);
        }

        public Task<IReadOnlyList<GitHubPullRequestFile>> ListPullRequestFilesAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubReview>> ListReviewsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<GitHubReview> CreateReviewAsync(string owner, string repo, int number, CreateReviewRequest review, CancellationToken cancellationToken) =>
            throw new NotSupportedException();

        public Task<GitHubIssue> GetIssueAsync(string owner, string repo, int number, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubPage<GitHubIssue>> ListIssuesPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubPage<GitHubPullRequest>> ListPullRequestsPageAsync(string owner, string repo, string state, int page, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubCommit>> ListPullRequestCommitsAsync(string owner, string repo, int number, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubFileText?> GetFileTextAsync(string owner, string repo, string path, string? gitRef, int maxBytes, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubTree> GetTreeAsync(string owner, string repo, string treeish, bool recursive, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubRepositoryInfo> GetRepositoryInfoAsync(string owner, string repo, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubContributorActivity>?> GetContributorStatsAsync(string owner, string repo, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubPermission?> GetCollaboratorPermissionAsync(string owner, string repo, string username, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AddIssueCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task AddReviewCommentReactionAsync(string owner, string repo, long commentId, string content, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubReviewComment> ReplyToReviewCommentAsync(string owner, string repo, int number, long commentId, string body, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubCompare?> CompareAsync(string owner, string repo, string baseSha, string head, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubReviewComment>> ListReviewCommentsAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubReviewThreadPage> ListReviewThreadsAsync(string owner, string repo, int number, string? after, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<bool> ResolveReviewThreadAsync(string threadId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<IReadOnlyList<GitHubIssueComment>> ListIssueCommentsAsync(string owner, string repo, int number, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubIssueComment> CreateIssueCommentAsync(string owner, string repo, int number, string body, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubIssueComment> UpdateIssueCommentAsync(string owner, string repo, long commentId, string body, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubReview> GetReviewAsync(string owner, string repo, int number, long reviewId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<GitHubReview> DismissReviewAsync(string owner, string repo, int number, long reviewId, string message, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CreateCheckRunAsync(string owner, string repo, CheckRunWrite checkRun, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task UpdateCheckRunAsync(string owner, string repo, long checkRunId, CheckRunWrite checkRun, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long?> FindCheckRunAsync(string owner, string repo, string sha, string name, string externalId, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task CreateCommitStatusAsync(string owner, string repo, string sha, CommitStatusWrite status, CancellationToken cancellationToken) => throw new NotSupportedException();
    }

    private sealed class Hold
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;
        public Task Released => _released.Task;

        public void Enter() => _entered.TrySetResult();

        public void Release() => _released.TrySetResult();
    }
}
