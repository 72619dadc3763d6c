using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// DESIGN §6: a delivery is acknowledged only after it is durably stored with its job. A real server is SIGKILLed while
/// concurrent senders keep posting; afterwards every delivery id that got a 2xx is in the database with its job.
/// </summary>
public sealed class IntakeCrashTests
{
    private const int Senders = 16;
    private const int KillAfterAcknowledged = 120;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_acknowledged_delivery_is_stored_after_a_SIGKILL_under_load(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        // No workers: only intake runs, so a delivery's job stays queued and countable.
        var server = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct);

        var acknowledged = new ConcurrentBag<string>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        stop.CancelAfter(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var n = 0; !stop.IsCancellationRequested; n++)
            {
                // A new PR per request: every delivery queues a job of its own.
                var deliveryId = Guid.NewGuid().ToString();
                var body = PullRequestPayload.From("pull_request.synchronize.json", "octo-org", "ledger", sender * 100_000 + n + 1,
                    Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000", 5150);
                try
                {
                    using var response = await http.SendAsync(SignedDelivery.Create("pull_request", body, E2EDatabase.Secret, deliveryId, server.BaseUrl), stop.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged.Add(deliveryId);
                        if (acknowledged.Count >= KillAfterAcknowledged)
                        {
                            enough.TrySetResult();
                        }
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    return; // the server is gone (or the test's time is up): this sender is done
                }
            }
        }, Ct)).ToList();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(45), Ct);
        await server.KillAsync(); // requests are in flight and batches in the writer's hands right now
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await server.DisposeAsync();

        var ids = acknowledged.ToHashSet();
        Assert.True(ids.Count >= KillAfterAcknowledged, $"only {ids.Count} deliveries were acknowledged");
        var stored = await E2EDatabase.QueryAsync(database, db => db.Deliveries.AsNoTracking()
            .Where(d => ids.Contains(d.DeliveryId) && d.JobId != null).Select(d => d.DeliveryId).ToListAsync(Ct));
        Assert.Empty(ids.Except(stored));

        // The restarted server serves the same database: nothing half-written keeps it from starting.
        await using var again = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct);
    }
}
