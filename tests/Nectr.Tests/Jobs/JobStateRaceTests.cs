using System.Net;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Jobs;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Jobs;

/// <summary>
/// Intake and the queue writing the same rows at the same moment, many times over. Each iteration owns one pull
/// request, starts two writers together and checks the promises afterwards; nothing waits on a clock.
/// </summary>
public sealed class JobStateRaceTests
{
    private const int Iterations = 200;
    private const string Owner = "octo";
    private const string Repo = "race";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_delivery_racing_the_completion_of_its_heads_review_reaches_exactly_one_outcome(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = Start(database);
        using var client = app.CreateClient();
        var queue = app.Services.GetRequiredService<JobQueue>();
        int linked = 0, alreadyHandled = 0;

        for (var pr = 1; pr <= Iterations; pr++)
        {
            var sha = Sha(pr, 'a');
            await PostAsync(client, "opened", pr, sha);
            var job = await queue.ClaimAsync("worker", Ct);
            Assert.Equal(pr, job?.PullNumber);

            var (completed, _) = await TogetherAsync(
                () => queue.CompleteAsync(job!.Id, "worker", JobStatus.Done, "reviewed", null, Ct),
                () => PostAsync(client, "synchronize", pr, sha));

            Assert.True(completed);
            var deliveries = await DeliveriesAsync(app, pr);
            Assert.Equal(2, deliveries.Count);
            Assert.All(deliveries, d => Assert.NotEqual(DeliveryOutcome.Pending, d.Outcome));
            Assert.Equal(DeliveryOutcome.Reviewed, deliveries[0].Outcome);
            var late = deliveries[1];
            if (late.Outcome == DeliveryOutcome.Reviewed)
            {
                // Linked while the review was still running: completion found it and gave it the job's outcome.
                Assert.Equal(job!.Id, late.JobId);
                Assert.Equal("reviewed", late.OutcomeReason);
                linked++;
            }
            else
            {
                // Stored after the review finished: nothing will run for it again, so it is settled on the spot.
                Assert.Equal(DeliveryOutcome.Skipped, late.Outcome);
                Assert.Contains("already handled", late.OutcomeReason, StringComparison.Ordinal);
                alreadyHandled++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{linked} linked before completion, {alreadyHandled} stored after it");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_newer_head_racing_the_claim_of_an_older_one_never_overwrites_a_running_review(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = Start(database);
        using var client = app.CreateClient();
        var queue = app.Services.GetRequiredService<JobQueue>();
        int ranOld = 0, supersededOld = 0;

        for (var pr = 1; pr <= Iterations; pr++)
        {
            await PostAsync(client, "opened", pr, Sha(pr, '1'));
            var (claimed, _) = await TogetherAsync(
                () => queue.ClaimAsync("worker", Ct),
                () => PostAsync(client, "synchronize", pr, Sha(pr, '2')));

            if (claimed is not null)
            {
                Assert.Equal(pr, claimed.PullNumber);
                Assert.Equal(JobStatus.Running, (await JobAsync(app, claimed.Id)).Status);
                Assert.True(await queue.CompleteAsync(claimed.Id, "worker", JobStatus.Done, "reviewed", null, Ct));
            }

            while (await queue.ClaimAsync("worker", Ct) is { } next)
            {
                Assert.True(await queue.CompleteAsync(next.Id, "worker", JobStatus.Done, "reviewed", null, Ct));
            }

            var deliveries = await DeliveriesAsync(app, pr);
            Assert.Equal(2, deliveries.Count);
            Assert.All(deliveries, d => Assert.NotEqual(DeliveryOutcome.Pending, d.Outcome));
            Assert.Equal(DeliveryOutcome.Reviewed, deliveries[1].Outcome);
            var old = await JobAsync(app, deliveries[0].JobId!.Value);
            if (old.Status == JobStatus.Done)
            {
                Assert.Equal(claimed?.Id, old.Id); // it ran only because the claim won
                Assert.Equal(DeliveryOutcome.Reviewed, deliveries[0].Outcome);
                ranOld++;
            }
            else
            {
                Assert.Equal(JobStatus.Skipped, old.Status);
                Assert.Equal(DeliveryOutcome.Skipped, deliveries[0].Outcome);
                Assert.Equal(old.OutcomeReason, deliveries[0].OutcomeReason);
                Assert.Contains("superseded", old.OutcomeReason, StringComparison.Ordinal);
                supersededOld++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{ranOld} older heads claimed first, {supersededOld} superseded first");
    }

    [Fact]
    public async Task On_SQLite_a_transaction_takes_the_write_lock_before_its_first_read()
    {
        // IntakeJobs relies on this across processes: nobody writes between intake's reads and its commit.
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = Start(database);
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(Ct);
        await using var tx = await db.Database.BeginTransactionAsync(Ct); // as intake and completion begin theirs
        await using var otherProcess = new SqliteConnection(database.ConnectionString);
        await otherProcess.OpenAsync(Ct);
        await using var write = otherProcess.CreateCommand();
        write.CommandText = "UPDATE review_jobs SET \"Attempts\" = 0";
        write.CommandTimeout = 1;

        var refused = await Assert.ThrowsAsync<SqliteException>(() => write.ExecuteNonQueryAsync(Ct));

        Assert.Equal(5, refused.SqliteErrorCode); // SQLITE_BUSY
    }

    [Fact]
    public async Task On_PostgreSQL_two_processes_queueing_new_heads_of_one_pull_request_at_once_leave_one_queued_job()
    {
        // Two processes (two connections here) each take in a new head of the same PR while an older head's job waits.
        // The second must see the first's new job once the first commits, and supersede it too.
        await using var database = await TestDatabase.CreateAsync("postgres");
        await using var app = Start(database);
        var dbs = app.Services.GetRequiredService<IDbContextFactory<NectrDb>>();
        var now = new DateTimeOffset(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);
        const int pr = 7;
        JobKey Head(char c) => new($"{Owner}/{Repo}", pr, Sha(pr, c));
        await QueueAsync(dbs, Head('a'), now);

        await using var first = await dbs.CreateDbContextAsync(Ct);
        await using (var tx = await first.Database.BeginTransactionAsync(Ct))
        {
            await QueueInAsync(first, Head('b'), now);
            var second = Task.Run(() => QueueAsync(dbs, Head('c'), now), Ct);
            await WaitUntilBlockedAsync(app, second);
            await tx.CommitAsync(Ct);
            await second;
        }

        var jobs = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().Where(j => j.PullNumber == pr).OrderBy(j => j.Id).ToListAsync(Ct));
        Assert.Equal([JobStatus.Skipped, JobStatus.Skipped, JobStatus.Queued], jobs.Select(j => j.Status));
        Assert.Equal(Head('c').HeadSha, jobs[2].HeadSha);
    }

    private static async Task QueueAsync(IDbContextFactory<NectrDb> dbs, JobKey head, DateTimeOffset now)
    {
        await using var db = await dbs.CreateDbContextAsync(Ct);
        await using var tx = await db.Database.BeginTransactionAsync(Ct);
        await QueueInAsync(db, head, now);
        await tx.CommitAsync(Ct);
    }

    /// <summary>What intake does for one new head, inside the caller's transaction.</summary>
    private static async Task QueueInAsync(NectrDb db, JobKey head, DateTimeOffset now)
    {
        var jobs = await IntakeJobs.LockAsync(db, [head], now, Ct);
        jobs.QueueReview(head, JobRequest.Push);
        await IntakeWrite.WriteAsync(db, jobs, [], Ct);
    }

    /// <summary>Until the other transaction waits on a lock this one holds (or has finished, which the caller's assertions then judge).</summary>
    private static async Task WaitUntilBlockedAsync(NectrApp app, Task other)
    {
        while (!other.IsCompleted && !await app.QueryAsync(db => db.Database
            .SqlQueryRaw<int>("SELECT count(*)::int AS \"Value\" FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
            .SingleAsync(Ct).ContinueWith(t => t.Result > 0, Ct)))
        {
            await Task.Delay(10, Ct);
        }
    }

    /// <summary>No worker: the test is the worker, so it decides exactly when a job is claimed and completed.</summary>
    private static NectrApp Start(TestDatabase database)
    {
        var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        app.CreateClient().Dispose();
        return app;
    }

    /// <summary>Starts both operations at the same moment on the thread pool and waits for both.</summary>
    private static async Task<(TA, TB)> TogetherAsync<TA, TB>(Func<Task<TA>> a, Func<Task<TB>> b)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = Task.Run(async () => { await go.Task; return await a(); }, Ct);
        var second = Task.Run(async () => { await go.Task; return await b(); }, Ct);
        go.SetResult();
        return (await first, await second);
    }

    private static async Task<HttpStatusCode> PostAsync(HttpClient client, string action, int pr, string sha)
    {
        var body = PullRequestPayload.From($"pull_request.{action}.json", Owner, Repo, pr, sha, 4242);
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret), Ct);
        Assert.True(response.IsSuccessStatusCode, $"intake answered {(int)response.StatusCode}");
        return response.StatusCode;
    }

    private static Task<List<DeliveryRecord>> DeliveriesAsync(NectrApp app, int pr) =>
        app.QueryAsync(db => db.Deliveries.AsNoTracking().Where(d => d.PullNumber == pr).OrderBy(d => d.Id).ToListAsync(Ct));

    private static Task<ReviewJob> JobAsync(NectrApp app, long id) =>
        app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.Id == id, Ct));

    private static string Sha(int pr, char c) => pr.ToString("D6", System.Globalization.CultureInfo.InvariantCulture) + new string(c, 34);
}
