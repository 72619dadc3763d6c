using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Reviews;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>Every read is scoped to the caller's repositories: user B learns nothing of user A's, through any endpoint.</summary>
public sealed class HistoryScopingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task User_B_cannot_see_or_retry_anything_of_repositories_only_user_A_can_see(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, a) = await app.SignedInClientAsync("alice", 1001);
        var (bob, b) = await app.SignedInClientAsync("bob", 1002);
        using var _ = alice;
        using var __ = bob;
        await HistorySeed.GrantAsync(app, a.Id, "acme/secret", isPrivate: true);
        // Public, but bob never listed it: still not his to browse here.
        await HistorySeed.GrantAsync(app, a.Id, "acme/public");
        await HistorySeed.GrantAsync(app, b.Id, "bob/own");
        var secret = await HistorySeed.ReviewAsync(app, "acme/secret", 1, "s1" + new string('0', 38), body: "secret body");
        var open = await HistorySeed.ReviewAsync(app, "acme/public", 1, "p1" + new string('0', 38));
        var (parkedId, parkedJob) = await HistorySeed.ParkedAsync(app, "acme/secret", 2, "s2" + new string('0', 38), "gave up");
        var ownReview = await HistorySeed.ReviewAsync(app, "bob/own", 1, "o1" + new string('0', 38));

        var bobReviews = await ReviewHistoryApiTests.GetAsync(bob, "/api/v1/reviews?per_page=100");
        var bobFiltered = await ReviewHistoryApiTests.GetAsync(bob, "/api/v1/reviews?repo=acme/secret");
        var bobSearch = await ReviewHistoryApiTests.GetAsync(bob, "/api/v1/reviews?q=secret");
        var bobEvents = await ReviewHistoryApiTests.GetAsync(bob, "/api/v1/events?per_page=100");
        var bobEventsFiltered = await ReviewHistoryApiTests.GetAsync(bob, "/api/v1/events?repo=acme/secret&outcome=parked");
        using var secretDetail = await bob.GetAsync($"/api/v1/reviews/{secret.Id}", Ct);
        using var publicDetail = await bob.GetAsync($"/api/v1/reviews/{open.Id}", Ct);
        using var eventDetail = await bob.GetAsync($"/api/v1/events/{parkedId}", Ct);
        using var retry = await HistorySeed.PostWithAntiforgeryAsync(bob, $"/api/v1/events/{parkedId}/retry", Ct);
        var bobStats = await app.Services.GetRequiredService<ReviewReadModel>().StatsAsync(b.Id, 30, Ct);
        var aliceReviews = await ReviewHistoryApiTests.GetAsync(alice, "/api/v1/reviews");
        using var aliceEvent = await alice.GetAsync($"/api/v1/events/{parkedId}", Ct);

        Assert.Equal([ownReview.Id], bobReviews.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(0, bobFiltered.GetProperty("total").GetInt32());
        Assert.Equal(0, bobSearch.GetProperty("total").GetInt32());
        Assert.All(bobEvents.GetProperty("items").EnumerateArray(), i => Assert.Equal("bob/own", i.GetProperty("repository").GetString()));
        Assert.Equal(0, bobEventsFiltered.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, secretDetail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, publicDetail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, eventDetail.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, retry.StatusCode);
        Assert.Equal(JobStatus.Parked, await app.QueryAsync(db => db.ReviewJobs.Where(j => j.Id == parkedJob).Select(j => j.Status).SingleAsync()));
        Assert.Equal(1, bobStats.Total);
        Assert.Equal(2, aliceReviews.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.OK, aliceEvent.StatusCode);
    }

    [Fact]
    public async Task Stats_count_reviews_per_day_and_the_verdict_mix_of_visible_repositories()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        client.Dispose();
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        var today = DateTime.UtcNow.Date.AddHours(1);
        await HistorySeed.ReviewAsync(app, "acme/alpha", 1, "x1" + new string('0', 38), "approve", today);
        await HistorySeed.ReviewAsync(app, "acme/alpha", 2, "x2" + new string('0', 38), "request_changes", today);
        await HistorySeed.ReviewAsync(app, "acme/alpha", 3, "x3" + new string('0', 38), "needs_discussion", today.AddDays(-2));
        await HistorySeed.ReviewAsync(app, "acme/alpha", 4, "x4" + new string('0', 38), "approve", today.AddDays(-40));
        await HistorySeed.ReviewAsync(app, "acme/hidden", 1, "x5" + new string('0', 38), "approve", today);

        var stats = await app.Services.GetRequiredService<ReviewReadModel>().StatsAsync(user.Id, 30, Ct);

        Assert.Equal(30, stats.PerDay.Count);
        Assert.Equal(3, stats.Total);
        Assert.Equal(DateOnly.FromDateTime(today), stats.PerDay[^1].Day);
        Assert.Equal(2, stats.PerDay[^1].Reviews);
        Assert.Equal(1, stats.PerDay[^3].Reviews);
        Assert.Equal(3, stats.PerDay.Sum(d => d.Reviews));
        Assert.Equal(new VerdictMix(1, 1, 1), stats.Verdicts);
    }
}
