using Microsoft.Extensions.DependencyInjection;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHub;

/// <summary>The GitHub client through its real handler pipeline (auth, rate-limit gate, ETag cache) against the fake.</summary>
public sealed class GitHubApiTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        _app.CreateClient().Dispose();
        _scope = _app.Services.CreateAsyncScope();
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private AsyncServiceScope _scope;

    /// <summary>The client as a dashboard request or the CLI gets it: from a DI scope, with that scope's first-attempt retry budget.</summary>
    private IGitHubApi Api => _scope.ServiceProvider.GetRequiredService<IGitHubApi>();

    private static IEnumerable<FakeFile> Files(int count) =>
        Enumerable.Range(1, count).Select(i => new FakeFile($"src/file{i:D4}.cs", "modified", "@@ -1,1 +1,1 @@\n-old\n+new"));

    [Fact]
    public async Task Listing_files_reads_every_page_of_100_and_nothing_more()
    {
        _github.AddPullRequest("octo", "big", 1, new string('a', 40), Files(250));

        var files = await Api.ListPullRequestFilesAsync("octo", "big", 1, Ct);

        Assert.Equal(250, files.Count);
        Assert.Equal("src/file0250.cs", files[^1].Filename);
        var pages = _github.Requests.Where(r => r.Path.EndsWith("/files", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, pages.Count);
        Assert.All(pages, p => Assert.Contains("per_page=100", p.PathAndQuery, StringComparison.Ordinal));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Listing_files_stops_at_GitHubs_limit_of_3000()
    {
        var pr = _github.AddPullRequest("octo", "huge", 2, new string('b', 40), Files(3200));
        pr.ChangedFiles = 3200;

        var files = await Api.ListPullRequestFilesAsync("octo", "huge", 2, Ct);

        Assert.Equal(3000, files.Count);
        Assert.Equal(30, _github.Requests.Count(r => r.Path.EndsWith("/files", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task A_repeated_get_is_revalidated_with_its_etag_and_answered_from_the_cache()
    {
        _github.AddPullRequest("octo", "cache", 3, new string('c', 40), Files(1), title: "Cached title");

        var first = await Api.GetPullRequestAsync("octo", "cache", 3, Ct);
        var second = await Api.GetPullRequestAsync("octo", "cache", 3, Ct);

        Assert.Equal("Cached title", second.Title);
        Assert.Equal(first.Head.Sha, second.Head.Sha);
        var gets = _github.Requests.Where(r => r.Path == "/repos/octo/cache/pulls/3").ToList();
        Assert.Equal(2, gets.Count);
        Assert.False(gets[0].Headers.ContainsKey("If-None-Match"));
        Assert.True(gets[1].Headers.ContainsKey("If-None-Match"));
        Assert.Equal(304, gets[1].Status);
    }

    [Fact]
    public async Task Requests_carry_the_token_api_version_and_user_agent()
    {
        _github.AddPullRequest("octo", "headers", 4, new string('d', 40), Files(1));

        await Api.GetPullRequestAsync("octo", "headers", 4, Ct);

        var request = Assert.Single(_github.Requests);
        Assert.Equal($"Bearer {_github.Token}", request.Headers["Authorization"]);
        Assert.Equal("2022-11-28", request.Headers["X-GitHub-Api-Version"]);
        Assert.StartsWith("Nectr/", request.Headers["User-Agent"], StringComparison.Ordinal);
        Assert.Equal("application/vnd.github+json", request.Headers["Accept"]);
    }

    [Fact]
    public async Task At_the_rate_limit_no_request_is_sent_before_the_reset_and_the_call_then_succeeds()
    {
        _github.AddPullRequest("octo", "limited", 5, new string('e', 40), Files(1));
        _github.RateLimitNext(1, TimeSpan.FromSeconds(2));

        var pr = await Api.GetPullRequestAsync("octo", "limited", 5, Ct);

        Assert.Equal(5, pr.Number);
        var requests = _github.Requests;
        Assert.Equal(2, requests.Count);
        Assert.Equal(403, requests[0].Status);
        Assert.True(requests[1].At >= _github.RateLimitResetAt, $"retried at {requests[1].At:O}, before the reset at {_github.RateLimitResetAt:O}");
    }

    [Fact]
    public async Task A_secondary_rate_limit_honours_retry_after()
    {
        _github.AddPullRequest("octo", "secondary", 6, new string('f', 40), Files(1));
        _github.RateLimitNext(1, TimeSpan.FromSeconds(1), secondary: true);

        await Api.GetPullRequestAsync("octo", "secondary", 6, Ct);

        var requests = _github.Requests;
        Assert.Equal(2, requests.Count);
        // Waited out the 1 s Retry-After rather than asking again at once. The two instants are the fake's wall clock
        // and the wait is a timer, which may fire a few milliseconds early: a tolerance, not a speed claim.
        var waited = requests[1].At - requests[0].At;
        Assert.True(waited >= TimeSpan.FromMilliseconds(900), $"asked again after {waited.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task A_long_rate_limit_releases_the_caller_with_the_reset_time_instead_of_blocking()
    {
        _github.AddPullRequest("octo", "later", 7, new string('0', 40), Files(1));
        _github.RateLimitNext(1, TimeSpan.FromMinutes(30));

        await Api.GetPullRequestAsync("octo", "later", 7, Ct).ContinueWith(_ => { }, Ct, TaskContinuationOptions.None, TaskScheduler.Default)
            .WaitAsync(TimeSpan.FromSeconds(30), Ct);
        var error = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => Api.GetPullRequestAsync("octo", "later", 7, Ct));

        Assert.InRange(error.Until, DateTimeOffset.UtcNow + TimeSpan.FromMinutes(29), DateTimeOffset.UtcNow + TimeSpan.FromMinutes(31));
        Assert.Single(_github.Requests); // the second call never reached GitHub
    }

    [Fact]
    public async Task An_error_status_becomes_an_exception_with_GitHubs_message()
    {
        var error = await Assert.ThrowsAsync<GitHubApiException>(() => Api.GetPullRequestAsync("octo", "missing", 99, Ct));

        Assert.Equal(System.Net.HttpStatusCode.NotFound, error.Status);
        Assert.Contains("Not Found", error.Message, StringComparison.Ordinal);
        Assert.False(error.IsTransient);
    }
}
