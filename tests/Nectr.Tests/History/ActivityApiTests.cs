using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>GET /api/v1/events[/{id}] and POST /api/v1/events/{id}/retry through the front door.</summary>
public sealed class ActivityApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> NoWorker => new() { ["REVIEW_CONCURRENCY"] = "0" };

    [Fact]
    public async Task The_list_filters_by_repository_outcome_and_event_and_hides_deliveries_without_a_repository()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: NoWorker);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        await HistorySeed.GrantAsync(app, user.Id, "acme/beta");
        await HistorySeed.DeliveryAsync(app, "ping", null, DeliveryOutcome.Skipped, "ping", HistorySeed.Now.AddMinutes(-10));
        await HistorySeed.DeliveryAsync(app, "ping", "acme/alpha", DeliveryOutcome.Skipped, "ping", HistorySeed.Now.AddMinutes(-9));
        await HistorySeed.DeliveryAsync(app, "issues", "acme/beta", DeliveryOutcome.Skipped, "issues are kept for context", HistorySeed.Now.AddMinutes(-8));
        await HistorySeed.DeliveryAsync(app, "pull_request", "acme/other", DeliveryOutcome.Pending);
        await HistorySeed.ReviewAsync(app, "acme/alpha", 1, "a1" + new string('0', 38), at: HistorySeed.Now.AddMinutes(-7));
        await HistorySeed.ParkedAsync(app, "acme/beta", 2, "b2" + new string('0', 38), "gave up after 5 attempts: GitHub answered 502");

        var all = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events");
        var alpha = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events?repo=acme/alpha");
        var parked = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events?outcome=parked");
        var pulls = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events?event=pull_request&per_page=1&page=2");
        using var bad = await client.GetAsync("/api/v1/events?outcome=lost", Ct);

        Assert.Equal(4, all.GetProperty("total").GetInt32());
        Assert.Equal(["pull_request", "pull_request", "issues", "ping"], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("event").GetString()));
        Assert.Equal(2, alpha.GetProperty("total").GetInt32());
        var item = Assert.Single(parked.GetProperty("items").EnumerateArray());
        Assert.Equal("parked", item.GetProperty("outcome").GetString());
        Assert.Equal("gave up after 5 attempts: GitHub answered 502", item.GetProperty("outcome_reason").GetString());
        Assert.True(item.GetProperty("retryable").GetBoolean());
        var job = item.GetProperty("job");
        Assert.Equal("parked", job.GetProperty("status").GetString());
        Assert.Equal(5, job.GetProperty("attempts").GetInt32());
        Assert.Equal("GitHub answered 502", job.GetProperty("last_error").GetString());
        Assert.Equal(2, pulls.GetProperty("total").GetInt32());
        var reviewed = Assert.Single(pulls.GetProperty("items").EnumerateArray());
        Assert.Equal("reviewed", reviewed.GetProperty("outcome").GetString());
        Assert.Equal("acme/alpha", reviewed.GetProperty("repository").GetString());
        Assert.Equal(1, reviewed.GetProperty("pull_number").GetInt32());
        Assert.True(reviewed.GetProperty("job").GetProperty("review_id").GetInt64() > 0);
        Assert.False(reviewed.GetProperty("retryable").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Retry_needs_antiforgery_then_requeues_the_parked_job_and_its_deliveries(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        var (deliveryId, jobId) = await HistorySeed.ParkedAsync(app, "acme/alpha", 3, "a3" + new string('0', 38), "gave up after 5 attempts");
        var reviewedId = await HistorySeed.DeliveryAsync(app, "pull_request", "acme/alpha", DeliveryOutcome.Reviewed, "reviewed");

        using var withoutToken = await client.PostAsync($"/api/v1/events/{deliveryId}/retry", null, Ct);
        var untouched = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.Id == jobId));
        using var retried = await HistorySeed.PostWithAntiforgeryAsync(client, $"/api/v1/events/{deliveryId}/retry", Ct);
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.Id == jobId));
        var delivery = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId));
        using var again = await HistorySeed.PostWithAntiforgeryAsync(client, $"/api/v1/events/{deliveryId}/retry", Ct);
        using var notParked = await HistorySeed.PostWithAntiforgeryAsync(client, $"/api/v1/events/{reviewedId}/retry", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, withoutToken.StatusCode);
        Assert.Equal(JobStatus.Parked, untouched.Status);
        Assert.Equal(5, untouched.Attempts);
        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Equal(JobStatus.Queued, job.Status);
        Assert.Equal(0, job.Attempts);
        Assert.Null(job.LeaseOwner);
        Assert.Null(job.LeaseExpiresMs);
        Assert.Null(job.CompletedAt);
        Assert.True(job.PostAttempted); // the next run still looks for a review an earlier attempt may have posted
        Assert.InRange(job.RunAfterMs, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds(), DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
        Assert.Equal(DeliveryOutcome.Pending, delivery.Outcome);
        Assert.Null(delivery.OutcomeReason);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, notParked.StatusCode);
    }

    [Fact]
    public async Task A_retried_job_is_run_by_the_worker_and_reviewed()
    {
        await using var github = await FakeGitHub.StartAsync();
        var sha = "a4" + new string('0', 38);
        github.AddPullRequest("acme", "alpha", 4, sha, [new FakeFile("src/App.cs", "modified", "@@ -1,1 +1,2 @@\n line\n+added")]);
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        var (deliveryId, jobId) = await HistorySeed.ParkedAsync(app, "acme/alpha", 4, sha, "gave up after 5 attempts");

        using var retried = await HistorySeed.PostWithAntiforgeryAsync(client, $"/api/v1/events/{deliveryId}/retry", Ct);
        await app.WaitUntilAsync(async db => (await db.Deliveries.SingleAsync(d => d.Id == deliveryId)).Outcome == DeliveryOutcome.Reviewed, what: "the retried delivery to be reviewed");

        Assert.Equal(HttpStatusCode.Accepted, retried.StatusCode);
        Assert.Single(github.ReviewsOn("acme", "alpha", 4));
        Assert.Equal(JobStatus.Done, await app.QueryAsync(db => db.ReviewJobs.Where(j => j.Id == jobId).Select(j => j.Status).SingleAsync()));
        github.AssertNoUnexpectedCalls();
    }
}
