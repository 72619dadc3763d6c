using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Time.Testing;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHub;

/// <summary>
/// GitHub failing the way it does in a bad minute, through the front door: a signed webhook, the real worker, the fake
/// GitHub answering with scripted faults. The app runs on a <see cref="FakeTimeProvider"/>, so backoffs are crossed by
/// moving its clock (to the job's RunAfter, or a second at a time while a retry waits), never by sleeping.
/// </summary>
public sealed class GitHubRetryTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const string HeadSha = "c0ffee0000000000000000000000000000000001";

    private static readonly FakeFile Handler = new("src/handler.py", "modified",
        "@@ -10,2 +10,3 @@ def handle(event):\n     total = 0\n+    total += event.amount\n     return total");

    private readonly FakeTimeProvider _time = new(DateTimeOffset.UtcNow);
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token) { Clock = _time };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task A_502_on_the_files_list_is_retried_within_the_attempt_and_gives_exactly_one_review()
    {
        _github.AddPullRequest(Owner, Repo, 7, HeadSha, [Handler]);
        _github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/7/files"), 1, 502, FakeGitHub.BadGatewayPage);

        await DeliverAsync(7);
        await WaitForCallAsync("GET", "/pulls/7/files", 502);
        await AdvanceUntilAsync(() => _github.ReviewsOn(Owner, Repo, 7).Count > 0, TimeSpan.FromSeconds(1), "the retried read and the review");
        var job = await FinishedJobAsync();

        Assert.Single(_github.ReviewsOn(Owner, Repo, 7));
        Assert.Equal([502, 200], _github.Requests.Where(r => r.Path.EndsWith("/pulls/7/files", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
        Assert.Equal((JobStatus.Done, 1, (string?)null), (job.Status, job.Attempts, job.LastError));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_dropped_connection_on_the_pull_request_read_is_retried_within_the_attempt()
    {
        _github.AddPullRequest(Owner, Repo, 12, HeadSha, [Handler]);
        _github.DropNext(FakeGitHub.PathEndsWith("GET", "/pulls/12"), 1);

        await DeliverAsync(12);
        await AdvanceUntilAsync(() => _github.ReviewsOn(Owner, Repo, 12).Count > 0, TimeSpan.FromSeconds(1), "the retried read and the review");
        var job = await FinishedJobAsync();

        Assert.Single(_github.ReviewsOn(Owner, Repo, 12));
        Assert.Equal(2, _github.Requests.Count(r => r.Method == "GET" && r.Path.EndsWith("/pulls/12", StringComparison.Ordinal)));
        Assert.Equal((JobStatus.Done, 1, (string?)null), (job.Status, job.Attempts, job.LastError));
    }

    [Fact]
    public async Task The_jobs_reads_share_one_retry_budget_and_once_it_is_spent_a_further_502_goes_to_the_job_queue()
    {
        _github.AddPullRequest(Owner, Repo, 13, HeadSha, [Handler]);
        // Run 1 (budget 3): two retries for the pull request and one for the files spend it, so the files list's second
        // 502 is not retried, though that read alone has retries left. Run 2 (a retry: budget 1): the third 502 is
        // retried once, the fourth goes to the queue. Run 3 gets the files.
        _github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/13"), 2, 502, FakeGitHub.BadGatewayPage);
        _github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/13/files"), 4, 502, FakeGitHub.BadGatewayPage);

        await DeliverAsync(13);
        await AdvanceUntilAsync(() => _github.ReviewsOn(Owner, Repo, 13).Count > 0, TimeSpan.FromSeconds(1), "the job's third run and its review");
        var job = await FinishedJobAsync();

        Assert.Equal([502, 502, 502, 502, 200], _github.Requests.Where(r => r.Path.EndsWith("/pulls/13/files", StringComparison.Ordinal)).Select(r => r.Status));
        Assert.Equal([502, 502, 200], _github.Requests.Where(r => r.Path.EndsWith("/pulls/13", StringComparison.Ordinal)).Select(r => r.Status).Take(3));
        Assert.Equal((JobStatus.Done, 3), (job.Status, job.Attempts));
        Assert.Contains("502", job.LastError, StringComparison.Ordinal);
        Assert.Single(_github.ReviewsOn(Owner, Repo, 13));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_secondary_rate_limit_403_without_headers_re_queues_the_job_a_minute_later_without_spending_an_attempt_and_the_next_attempt_reviews()
    {
        _github.AddPullRequest(Owner, Repo, 8, HeadSha, [Handler]);
        _github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/8/files"), 1, 403, FakeGitHub.SecondaryLimitMessage);

        await DeliverAsync(8);
        var refusedAt = _time.GetUtcNow();
        var waiting = await RequeuedAsync(1);

        Assert.Equal(0, waiting.Attempts);
        Assert.InRange(waiting.RunAfterMs - refusedAt.ToUnixTimeMilliseconds(), 60_000, 66_000 + 1_000);
        Assert.Contains("secondary rate limit", waiting.LastError, StringComparison.Ordinal);
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 8));
        var delivery = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Pending, delivery.Outcome);

        _time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(waiting.RunAfterMs + 1));
        await _github.WaitForReviewAsync(Owner, Repo, 8, TimeSpan.FromSeconds(30));
        var job = await FinishedJobAsync();

        Assert.Single(_github.ReviewsOn(Owner, Repo, 8));
        Assert.Equal((JobStatus.Done, 1), (job.Status, job.Attempts));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_secondary_rate_limit_on_the_review_post_re_queues_the_job_and_the_next_attempt_looks_for_its_review_before_posting_once()
    {
        _github.AddPullRequest(Owner, Repo, 9, HeadSha, [Handler]);
        _github.FailNext(FakeGitHub.PathEndsWith("POST", "/pulls/9/reviews"), 1, 403, FakeGitHub.SecondaryLimitMessage);

        await DeliverAsync(9);
        var waiting = await RequeuedAsync(1);
        _time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(waiting.RunAfterMs + 1));
        await _github.WaitForReviewAsync(Owner, Repo, 9, TimeSpan.FromSeconds(30));
        var job = await FinishedJobAsync();

        Assert.Single(_github.ReviewsOn(Owner, Repo, 9));
        var calls = _github.Requests.Where(r => r.Path.EndsWith("/pulls/9/reviews", StringComparison.Ordinal)).Select(r => (r.Method, r.Status));
        Assert.Equal([("POST", 403), ("GET", 200), ("POST", 200)], calls);
        Assert.Equal((JobStatus.Done, 1), (job.Status, job.Attempts));
    }

    [Fact]
    public async Task Secondary_rate_limits_that_never_end_park_the_job_with_a_reason_after_waiting_longer_each_time()
    {
        _github.AddPullRequest(Owner, Repo, 10, HeadSha, [Handler]);
        // GitHub refuses every request while the limit lasts: one that got through would end the streak.
        _github.FailNext(r => r.Path.Contains("/pulls/10", StringComparison.Ordinal), RateLimitGate.MaxSecondaryInARow, 403, FakeGitHub.SecondaryLimitMessage);

        await DeliverAsync(10);
        var waits = new List<long>();
        for (var refusal = 1; refusal < RateLimitGate.MaxSecondaryInARow; refusal++)
        {
            var refusedAt = _time.GetUtcNow().ToUnixTimeMilliseconds();
            var waiting = await RequeuedAsync(refusal);
            waits.Add(waiting.RunAfterMs - refusedAt);
            _time.SetUtcNow(DateTimeOffset.FromUnixTimeMilliseconds(waiting.RunAfterMs + 1));
        }

        var job = await FinishedJobAsync();

        Assert.Equal(JobStatus.Parked, job.Status);
        Assert.Contains("secondary rate limit", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("REVIEW_CONCURRENCY", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(1, job.Attempts); // the waits spent none; the attempt that was parked is the only one
        Assert.All(waits.Zip(waits.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"waits should grow: {string.Join(", ", waits)}"));
        Assert.True(waits[0] >= 60_000, $"first wait {waits[0]} ms");
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 10));
        var delivery = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Parked, delivery.Outcome);
    }

    [Fact]
    public async Task A_plain_403_is_a_missing_permission_not_a_rate_limit_and_is_not_retried()
    {
        _github.AddPullRequest(Owner, Repo, 11, HeadSha, [Handler]);
        _github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/11/files"), 1, 403,
            """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest/pulls/pulls#list-pull-requests-files"}""");

        await DeliverAsync(11);
        var job = await FinishedJobAsync();

        Assert.Equal(JobStatus.Parked, job.Status);
        Assert.Contains("Resource not accessible by integration", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Single(_github.Requests, r => r.Path.EndsWith("/pulls/11/files", StringComparison.Ordinal));
    }

    private async Task DeliverAsync(int number)
    {
        using var client = _app.CreateClient();
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", Owner, Repo, number, HeadSha, RepoId), NectrApp.WebhookSecret), Ct);
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The job once the worker put it back in the queue after GitHub's <paramref name="refusal"/>-th rate-limit refusal.</summary>
    private async Task<ReviewJob> RequeuedAsync(int refusal)
    {
        var text = $"({refusal} in a row)";
        await _app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Queued && j.LastError != null && j.LastError.Contains(text), Ct),
            what: $"the job to be re-queued after refusal {refusal}");
        return await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
    }

    private async Task<ReviewJob> FinishedJobAsync()
    {
        await _app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status != JobStatus.Queued && j.Status != JobStatus.Running, Ct), what: "the job to finish");
        return await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
    }

    private async Task WaitForCallAsync(string method, string pathSuffix, int status)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!_github.Requests.Any(r => r.Method == method && r.Path.EndsWith(pathSuffix, StringComparison.Ordinal) && r.Status == status))
        {
            Assert.True(DateTime.UtcNow < deadline, $"no {method} …{pathSuffix} answered {status}");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Moves the app's clock a step at a time until <paramref name="done"/>: a retry's backoff is crossed without waiting for it.</summary>
    private async Task AdvanceUntilAsync(Func<bool> done, TimeSpan step, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!done())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            _time.Advance(step);
            await Task.Delay(20, Ct);
        }
    }
}
