using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// DESIGN §6: a delivery is acknowledged only after it is durably stored with its job. A real server is stopped while
/// concurrent senders keep posting — SIGKILL (a crash) or SIGTERM (systemd, Kubernetes, Ctrl-C) — and afterwards every
/// delivery id that got a 2xx is in the database with its job.
/// </summary>
public sealed class IntakeCrashTests
{
    private const int Senders = 16;
    private const int StopAfterAcknowledged = 120;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_acknowledged_delivery_is_stored_after_a_SIGKILL_under_load(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        // No workers: only intake runs, so a delivery's job stays queued and countable.
        var server = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct);

        var load = await LoadUntilStoppedAsync(server, server.KillAsync); // requests are in flight and batches in the writer's hands
        await server.DisposeAsync();

        await AssertAcknowledgedAreStoredAsync(database, load);
        // The restarted server serves the same database: nothing half-written keeps it from starting.
        await using var again = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_SIGTERM_under_load_answers_every_request_it_took_stores_every_acknowledged_delivery_and_exits_0(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        var server = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct);
        int? exitCode = null;

        var load = await LoadUntilStoppedAsync(server, async () => exitCode = await server.StopAsync(TimeSpan.FromSeconds(30)));
        var output = server.Output;
        await server.DisposeAsync();

        Assert.True(exitCode == 0, $"exit code {exitCode?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none: still running 30 s after SIGTERM"}\n{output}");
        // A request the server had taken is answered: stored (2xx) or refused for GitHub to redeliver (503); never a 500.
        Assert.All(load.Refusals, status => Assert.Equal(503, status));
        await AssertAcknowledgedAreStoredAsync(database, load);
        var failures = output.Split('\n').Where(line => line.StartsWith("fail:", StringComparison.Ordinal) || line.Contains("Unhandled exception", StringComparison.Ordinal)).ToList();
        Assert.True(failures.Count == 0, output);
    }

    private sealed record Load(IReadOnlySet<string> Acknowledged, IReadOnlyList<int> Refusals);

    /// <summary>Posts new deliveries from <see cref="Senders"/> senders and calls <paramref name="stop"/> once enough are acknowledged.</summary>
    private static async Task<Load> LoadUntilStoppedAsync(NectrProcess server, Func<Task> stop)
    {
        var acknowledged = new ConcurrentBag<string>();
        var refusals = new ConcurrentBag<int>();
        var enough = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var timeUp = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeUp.CancelAfter(TimeSpan.FromSeconds(60));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        var senders = Enumerable.Range(0, Senders).Select(sender => Task.Run(async () =>
        {
            for (var n = 0; !timeUp.IsCancellationRequested; n++)
            {
                // A new PR per request: every delivery queues a job of its own.
                var deliveryId = Guid.NewGuid().ToString();
                var body = PullRequestPayload.From("pull_request.synchronize.json", "octo-org", "ledger", sender * 100_000 + n + 1,
                    Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()) + "00000000", 5150);
                try
                {
                    using var response = await http.SendAsync(SignedDelivery.Create("pull_request", body, E2EDatabase.Secret, deliveryId, server.BaseUrl), timeUp.Token);
                    if (response.IsSuccessStatusCode)
                    {
                        acknowledged.Add(deliveryId);
                        if (acknowledged.Count >= StopAfterAcknowledged)
                        {
                            enough.TrySetResult();
                        }
                    }
                    else
                    {
                        refusals.Add((int)response.StatusCode);
                    }
                }
                catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or OperationCanceledException)
                {
                    return; // the server is gone (or the test's time is up): this sender is done
                }
            }
        }, Ct)).ToList();

        await enough.Task.WaitAsync(TimeSpan.FromSeconds(45), Ct);
        await stop();
        await Task.WhenAll(senders).WaitAsync(TimeSpan.FromSeconds(30), Ct);
        return new Load(acknowledged.ToHashSet(), [.. refusals]);
    }

    private static async Task AssertAcknowledgedAreStoredAsync(TestDatabase database, Load load)
    {
        var ids = load.Acknowledged;
        Assert.True(ids.Count >= StopAfterAcknowledged, $"only {ids.Count} deliveries were acknowledged");
        var stored = await E2EDatabase.QueryAsync(database, db => db.Deliveries.AsNoTracking()
            .Where(d => ids.Contains(d.DeliveryId) && d.JobId != null).Select(d => d.DeliveryId).ToListAsync(Ct));
        Assert.Empty(ids.Except(stored));
    }
}
