using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHub;

/// <summary>
/// The GitHub client's handler pipeline (rate-limit gate in front of the read retries) against the fake GitHub, on the
/// app's <see cref="FakeTimeProvider"/>: every wait is crossed by moving that clock. An assertion that a request has
/// not gone out yet gives a wrong one time to arrive first; it can only pass late, never fail early.
/// </summary>
public sealed class GitHubReadPipelineTests : IAsyncLifetime
{
    private const string Owner = "octo";
    private const string Repo = "pipeline";

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private AsyncServiceScope _scope;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The client as a dashboard request gets it: from a DI scope, with that scope's first-attempt retry budget.</summary>
    private IGitHubApi Api => _scope.ServiceProvider.GetRequiredService<IGitHubApi>();

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }) { Clock = _time };
        _app.CreateClient().Dispose();
        _scope = _app.Services.CreateAsyncScope();
        // The fake GitHub states its limits in wall-clock time; start the app's clock there, so the gate's wait is what GitHub said.
        _time.SetUtcNow(DateTimeOffset.UtcNow);
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task While_the_gate_is_closed_no_request_reaches_github_and_every_waiting_read_goes_once_it_opens()
    {
        _github.AddPullRequest(Owner, Repo, 1, new string('a', 40), [File()]);
        _github.AddPullRequest(Owner, Repo, 2, new string('b', 40), [File()]);
        _github.RateLimitNext(1, TimeSpan.FromSeconds(10));

        var first = Api.GetPullRequestAsync(Owner, Repo, 1, Ct);
        await WaitForGateClosedAsync();
        var second = Api.GetPullRequestAsync(Owner, Repo, 2, Ct);
        await Task.Delay(200, Ct);
        _time.Advance(TimeSpan.FromSeconds(5));
        await Task.Delay(200, Ct);

        Assert.Equal([403], _github.Requests.Select(r => r.Status));
        Assert.False(first.IsCompleted || second.IsCompleted, "both reads wait at the closed gate");

        _time.Advance(TimeSpan.FromSeconds(10));
        var prs = await Task.WhenAll(first, second).WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal([1, 2], prs.Select(p => p.Number));
        Assert.Equal([403, 200, 200], _github.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_secondary_rate_limit_with_retry_after_within_the_inline_maximum_is_waited_out_and_asked_again()
    {
        _github.AddPullRequest(Owner, Repo, 3, new string('c', 40), [File()]);
        _github.RateLimitNext(1, TimeSpan.FromSeconds(25), secondary: true);

        var read = Api.GetPullRequestAsync(Owner, Repo, 3, Ct);
        await WaitForRequestsAsync(1);
        _time.Advance(TimeSpan.FromSeconds(20));
        await Task.Delay(200, Ct);

        Assert.Single(_github.Requests);
        Assert.False(read.IsCompleted, "the read waits out GitHub's retry-after");

        _time.Advance(TimeSpan.FromSeconds(6));
        var pr = await read.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        Assert.Equal(3, pr.Number);
        Assert.Equal([403, 200], _github.Requests.Select(r => r.Status));
    }

    [Fact]
    public async Task A_review_post_that_fails_with_a_502_is_not_retried()
    {
        _github.AddPullRequest(Owner, Repo, 4, new string('d', 40), [File()]);
        _github.FailNext(FakeGitHub.PathEndsWith("POST", "/pulls/4/reviews"), 1, 502, FakeGitHub.BadGatewayPage);

        var error = await Assert.ThrowsAsync<GitHubApiException>(() => Api.CreateReviewAsync(Owner, Repo, 4, Review('d'), Ct));

        Assert.Equal(HttpStatusCode.BadGateway, error.Status);
        Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 4));
    }

    [Fact]
    public async Task A_review_post_whose_connection_drops_is_not_retried()
    {
        _github.AddPullRequest(Owner, Repo, 5, new string('e', 40), [File()]);
        _github.DropNext(FakeGitHub.PathEndsWith("POST", "/pulls/5/reviews"), 1);

        await Assert.ThrowsAsync<HttpRequestException>(() => Api.CreateReviewAsync(Owner, Repo, 5, Review('e'), Ct));

        Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_review_post_refused_by_a_short_secondary_limit_is_not_retried_and_says_when_to_try_again()
    {
        _github.AddPullRequest(Owner, Repo, 6, new string('f', 40), [File()]);
        _github.RateLimitNext(1, TimeSpan.FromSeconds(5), secondary: true);

        var error = await Assert.ThrowsAsync<GitHubRateLimitedException>(() => Api.CreateReviewAsync(Owner, Repo, 6, Review('f'), Ct));

        Assert.Equal(1, error.SecondaryInARow);
        Assert.True(error.Until > _time.GetUtcNow(), $"resumes at {error.Until:O}");
        Assert.Single(_github.Requests);
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 6));
    }

    private static FakeFile File() => new("src/app.cs", "modified", "@@ -1,1 +1,1 @@\n-old\n+new");

    private static CreateReviewRequest Review(char sha) => new(new string(sha, 40), "Looks fine.", "COMMENT", []);

    /// <summary>Until GitHub's refusal has come back to the client and the gate recorded it.</summary>
    private async Task WaitForGateClosedAsync()
    {
        var gate = _app.Services.GetRequiredService<RateLimitGate>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (gate.BlockedUntil is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "the gate never closed");
            await Task.Delay(20, Ct);
        }
    }

    private async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_github.Requests.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"GitHub got {_github.Requests.Count} of {count} requests");
            await Task.Delay(20, Ct);
        }
    }
}
