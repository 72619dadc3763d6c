using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using Nectr.Webhooks;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// WEBHOOK_PAYLOAD_RETENTION_DAYS: a delivery that reached its outcome longer ago than that loses its raw body and keeps
/// its row; a pending one, a recent one, and every one when the setting is 0, keep theirs. Both databases.
/// </summary>
public sealed class PayloadRetentionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Old_finished_deliveries_lose_their_body_and_keep_their_row(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["WEBHOOK_PAYLOAD_RETENTION_DAYS"] = "30" });
        using var client = app.CreateClient();
        var oldPing = await SendAsync(client, "ping", "ping.json");
        var oldIssue = await SendAsync(client, "issues", "issues.opened.json");
        var oldPull = await SendAsync(client, "pull_request", "pull_request.opened.json"); // its job stays queued: pending
        var newPing = await SendAsync(client, "ping", "ping.json");
        var old = new[] { oldPing, oldIssue, oldPull };
        await app.QueryAsync(db => db.Deliveries.Where(d => old.Contains(d.DeliveryId))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.ReceivedAt, DateTime.UtcNow.AddDays(-40)), Ct));

        var cleared = await app.Services.GetRequiredService<PayloadRetention>().SweepAsync(Ct);

        var rows = await app.QueryAsync(db => db.Deliveries.AsNoTracking().ToDictionaryAsync(d => d.DeliveryId, Ct));
        Assert.Equal(2, cleared);
        Assert.All(new[] { oldPing, oldIssue }, id =>
        {
            Assert.Null(rows[id].PayloadBrotli);
            Assert.Equal(DeliveryOutcome.Skipped, rows[id].Outcome);
            Assert.False(string.IsNullOrEmpty(rows[id].OutcomeReason));
        });
        Assert.Equal(DeliveryOutcome.Pending, rows[oldPull].Outcome);
        Assert.NotNull(rows[oldPull].PayloadBrotli);
        Assert.NotNull(rows[newPing].PayloadBrotli);
        Assert.Equal(0, await app.Services.GetRequiredService<PayloadRetention>().SweepAsync(Ct)); // nothing left to clear
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_history_longer_than_one_batch_is_cleared_in_one_sweep_and_a_recent_delivery_between_keeps_its_body(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["WEBHOOK_PAYLOAD_RETENTION_DAYS"] = "30" });
        const int Old = 2_345; // more than two of the sweep's batches
        await app.QueryAsync(db =>
        {
            db.Deliveries.AddRange(Enumerable.Range(0, Old + 1).Select(i => new DeliveryRecord
            {
                DeliveryId = $"history-{i:D5}", Event = "ping", PayloadBrotli = [1, 2, 3], Outcome = DeliveryOutcome.Skipped, OutcomeReason = "ping",
                // One in the middle arrived yesterday: a sweep that pages by id must go past it and still leave it alone.
                ReceivedAt = i == Old / 2 ? DateTime.UtcNow.AddDays(-1) : DateTime.UtcNow.AddDays(-60), CompletedAt = DateTime.UtcNow.AddDays(-60),
            }));
            return db.SaveChangesAsync(Ct);
        });

        var cleared = await app.Services.GetRequiredService<PayloadRetention>().SweepAsync(Ct);

        Assert.Equal(Old, cleared);
        var kept = await app.QueryAsync(db => db.Deliveries.AsNoTracking().Where(d => d.PayloadBrotli != null).Select(d => d.DeliveryId).ToListAsync(Ct));
        Assert.Equal([$"history-{Old / 2:D5}"], kept);
    }

    [Fact]
    public async Task Zero_keeps_every_body()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["WEBHOOK_PAYLOAD_RETENTION_DAYS"] = "0" });
        using var client = app.CreateClient();
        var ping = await SendAsync(client, "ping", "ping.json");
        await app.QueryAsync(db => db.Deliveries.ExecuteUpdateAsync(s => s.SetProperty(d => d.ReceivedAt, DateTime.UtcNow.AddYears(-5)), Ct));

        Assert.Equal(0, await app.Services.GetRequiredService<PayloadRetention>().SweepAsync(Ct));
        Assert.NotNull(await app.QueryAsync(db => db.Deliveries.Where(d => d.DeliveryId == ping).Select(d => d.PayloadBrotli).SingleAsync(Ct)));
    }

    private static async Task<string> SendAsync(HttpClient client, string eventName, string fixture)
    {
        var id = Guid.NewGuid().ToString();
        using var response = await client.SendAsync(SignedDelivery.Create(eventName, WebhookFixtures.Load(fixture), NectrApp.WebhookSecret, id), Ct);
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"{fixture}: {(int)response.StatusCode}");
        return id;
    }
}
