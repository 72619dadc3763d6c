using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Jobs;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Jobs;

/// <summary>The queue's promises, on both databases, with a fake clock instead of sleeps.</summary>
public sealed class JobQueueTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 24, 12, 0, 0, TimeSpan.Zero);

    private sealed class Harness : IAsyncDisposable
    {
        private readonly TestDatabase _database;
        private readonly NectrApp _app;

        private Harness(TestDatabase database, NectrApp app, JobQueue queue, FakeTimeProvider clock)
        {
            _database = database;
            _app = app;
            Queue = queue;
            Clock = clock;
        }

        public JobQueue Queue { get; }
        public FakeTimeProvider Clock { get; }

        public static async Task<Harness> StartAsync(string provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var app = new NectrApp(database, settings: new Dictionary<string, string?>
            {
                ["REVIEW_CONCURRENCY"] = "0", // no worker: the test drives the queue itself
                ["REVIEW_LEASE_SECONDS"] = "60",
                ["REVIEW_RETRY_BASE_SECONDS"] = "10",
                ["REVIEW_RETRY_MAX_SECONDS"] = "100",
            });
            app.CreateClient().Dispose(); // starts the host and migrates
            var clock = new FakeTimeProvider(Start);
            var services = app.Services;
            var queue = new JobQueue(services.GetRequiredService<IDbContextFactory<NectrDb>>(), services.GetRequiredService<DbWriteGate>(), services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobOptions>>(), clock);
            return new Harness(database, app, queue, clock);
        }

        public async Task<long> AddJobAsync(string repo, int number, string sha, long runAfterOffsetMs = 0)
        {
            var job = new ReviewJob
            {
                RepositoryFullName = repo,
                PullNumber = number,
                HeadSha = sha,
                Status = JobStatus.Queued,
                RunAfterMs = Start.ToUnixTimeMilliseconds() + runAfterOffsetMs,
                CreatedAt = Start.UtcDateTime,
                UpdatedAt = Start.UtcDateTime,
            };
            await _app.QueryAsync(async db =>
            {
                db.ReviewJobs.Add(job);
                return await db.SaveChangesAsync();
            });
            return job.Id;
        }

        public Task<ReviewJob> JobAsync(long id) => _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.Id == id));

        /// <summary>A stored delivery linked to <paramref name="jobId"/>, as intake leaves it.</summary>
        public async Task<long> AddDeliveryAsync(long jobId, DeliveryOutcome outcome = DeliveryOutcome.Pending, string? reason = null)
        {
            var delivery = new DeliveryRecord
            {
                DeliveryId = Guid.NewGuid().ToString(),
                Event = "pull_request",
                Action = "synchronize",
                Payload = "{}",
                ReceivedAt = Start.UtcDateTime,
                JobId = jobId,
                Outcome = outcome,
                OutcomeReason = reason,
                CompletedAt = outcome == DeliveryOutcome.Pending ? null : Start.UtcDateTime,
            };
            await _app.QueryAsync(async db =>
            {
                db.Deliveries.Add(delivery);
                return await db.SaveChangesAsync();
            });
            return delivery.Id;
        }

        public Task<DeliveryRecord> DeliveryAsync(long id) => _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Id == id));

        public async ValueTask DisposeAsync()
        {
            await _app.DisposeAsync();
            await _database.DisposeAsync();
        }
    }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_claim_takes_the_oldest_due_job_and_leases_it(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var later = await h.AddJobAsync("o/r", 1, "aaa", runAfterOffsetMs: 5_000);
        var first = await h.AddJobAsync("o/r", 2, "bbb");

        var claimed = await h.Queue.ClaimAsync("worker-1", Ct);

        Assert.NotNull(claimed);
        Assert.Equal(first, claimed.Id);
        Assert.Equal(JobStatus.Running, claimed.Status);
        Assert.Equal("worker-1", claimed.LeaseOwner);
        Assert.Equal(1, claimed.Attempts);
        Assert.Equal((Start + TimeSpan.FromSeconds(60)).ToUnixTimeMilliseconds(), claimed.LeaseExpiresMs);
        Assert.Null(await h.Queue.ClaimAsync("worker-2", Ct)); // the other one is not due yet

        h.Clock.Advance(TimeSpan.FromSeconds(5));
        Assert.Equal(later, (await h.Queue.ClaimAsync("worker-2", Ct))?.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_one_review_of_a_pull_request_runs_at_a_time(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var older = await h.AddJobAsync("o/r", 7, "sha1");
        var newer = await h.AddJobAsync("o/r", 7, "sha2");
        var other = await h.AddJobAsync("o/r", 8, "sha3");

        var a = await h.Queue.ClaimAsync("w1", Ct);
        var b = await h.Queue.ClaimAsync("w2", Ct);
        var c = await h.Queue.ClaimAsync("w3", Ct);

        Assert.Equal(older, a?.Id);
        Assert.Equal(other, b?.Id); // PR 7 is busy, so PR 8 goes next
        Assert.Null(c);

        Assert.True(await h.Queue.CompleteAsync(older, "w1", JobStatus.Done, "reviewed", null, Ct));
        Assert.Equal(newer, (await h.Queue.ClaimAsync("w3", Ct))?.Id);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_expired_lease_is_taken_over_and_the_old_owner_can_no_longer_write(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 3, "abc");
        await h.Queue.ClaimAsync("crashed", Ct);

        h.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.Null(await h.Queue.ClaimAsync("rescuer", Ct)); // still leased
        h.Clock.Advance(TimeSpan.FromSeconds(2));
        var taken = await h.Queue.ClaimAsync("rescuer", Ct);

        Assert.Equal(id, taken?.Id);
        Assert.Equal(2, taken!.Attempts);
        Assert.Null(await h.Queue.RenewAsync(id, "crashed", Ct));
        Assert.False(await h.Queue.CompleteAsync(id, "crashed", JobStatus.Done, "late", null, Ct));
        Assert.True(await h.Queue.CompleteAsync(id, "rescuer", JobStatus.Done, "reviewed", null, Ct));
        Assert.Equal(JobStatus.Done, (await h.JobAsync(id)).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Renewing_keeps_a_long_review_from_being_taken_over(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 4, "def");
        await h.Queue.ClaimAsync("busy", Ct);

        for (var i = 0; i < 5; i++)
        {
            h.Clock.Advance(TimeSpan.FromSeconds(30));
            Assert.Equal(h.Clock.GetUtcNow() + TimeSpan.FromSeconds(60), await h.Queue.RenewAsync(id, "busy", Ct));
            Assert.Null(await h.Queue.ClaimAsync("other", Ct));
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_retry_waits_for_its_backoff_and_keeps_the_error(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 5, "fed");
        var claimed = await h.Queue.ClaimAsync("w", Ct);

        var at = h.Queue.NextAttemptAt(claimed!.Attempts);
        Assert.InRange(at - Start, TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(12)); // base 10 s plus up to 20% jitter
        Assert.True(await h.Queue.RetryLaterAsync(id, "w", at, "GitHub answered 502", countAttempt: true, Ct));

        Assert.Null(await h.Queue.ClaimAsync("w", Ct));
        h.Clock.Advance(at - Start);
        var again = await h.Queue.ClaimAsync("w", Ct);
        Assert.Equal(id, again?.Id);
        Assert.Equal(2, again!.Attempts);
        Assert.Equal("GitHub answered 502", again.LastError);
        Assert.InRange(h.Queue.NextAttemptAt(5) - h.Clock.GetUtcNow(), TimeSpan.FromSeconds(100), TimeSpan.FromSeconds(120)); // capped
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Completing_a_job_gives_every_waiting_delivery_the_same_outcome(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 6, "cab");
        var other = await h.AddJobAsync("o/r", 7, "dab");
        long[] waiting = [await h.AddDeliveryAsync(id), await h.AddDeliveryAsync(id)];
        // Settled when it arrived (the job was parked then, and later retried): it keeps its own outcome.
        var settled = await h.AddDeliveryAsync(id, DeliveryOutcome.Skipped, "head cab already handled by job 1 (parked)");
        var unrelated = await h.AddDeliveryAsync(other);
        await h.Queue.ClaimAsync("w", Ct);
        h.Clock.Advance(TimeSpan.FromSeconds(3));

        Assert.True(await h.Queue.CompleteAsync(id, "w", JobStatus.Parked, "GitHub answered 404", null, Ct));

        var job = await h.JobAsync(id);
        Assert.Equal(JobStatus.Parked, job.Status);
        Assert.Equal("GitHub answered 404", job.OutcomeReason);
        Assert.Equal((Start + TimeSpan.FromSeconds(3)).UtcDateTime, job.CompletedAt);
        Assert.Equal("w", job.LeaseOwner);
        Assert.Null(job.LeaseExpiresMs);
        foreach (var delivery in waiting)
        {
            var row = await h.DeliveryAsync(delivery);
            Assert.Equal((DeliveryOutcome.Parked, "GitHub answered 404", job.CompletedAt), (row.Outcome, row.OutcomeReason, row.CompletedAt));
        }

        var kept = await h.DeliveryAsync(settled);
        Assert.Equal((DeliveryOutcome.Skipped, "head cab already handled by job 1 (parked)", Start.UtcDateTime), (kept.Outcome, kept.OutcomeReason, kept.CompletedAt));
        Assert.Equal(DeliveryOutcome.Pending, (await h.DeliveryAsync(unrelated)).Outcome);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_a_lease_that_has_not_run_out_may_mark_a_post_and_marking_renews_it(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 9, "bee");
        await h.Queue.ClaimAsync("w", Ct);

        h.Clock.Advance(TimeSpan.FromSeconds(50));
        Assert.True(await h.Queue.MarkPostAttemptedAsync(id, "w", Ct));
        var marked = await h.JobAsync(id);
        Assert.True(marked.PostAttempted);
        Assert.Equal((Start + TimeSpan.FromSeconds(110)).ToUnixTimeMilliseconds(), marked.LeaseExpiresMs); // a whole lease for the POST

        // Expired, though nobody has taken the job over yet: a successor may claim it at any moment, so no POST.
        h.Clock.Advance(TimeSpan.FromSeconds(61));
        Assert.False(await h.Queue.MarkPostAttemptedAsync(id, "w", Ct));
        Assert.False(await h.Queue.MarkPostAttemptedAsync(id, "someone-else", Ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Only_a_parked_job_is_requeued_and_its_parked_deliveries_wait_again(string provider)
    {
        await using var h = await Harness.StartAsync(provider);
        var id = await h.AddJobAsync("o/r", 10, "ace");
        var delivery = await h.AddDeliveryAsync(id);
        await h.Queue.ClaimAsync("w", Ct);
        Assert.False(await h.Queue.RequeueParkedAsync(id, Ct)); // running, not parked
        Assert.True(await h.Queue.CompleteAsync(id, "w", JobStatus.Parked, "GitHub answered 404", null, Ct));

        Assert.True(await h.Queue.RequeueParkedAsync(id, Ct));
        Assert.False(await h.Queue.RequeueParkedAsync(id, Ct)); // a second click finds it queued

        var job = await h.JobAsync(id);
        Assert.Equal((JobStatus.Queued, 0, null, null, null), (job.Status, job.Attempts, job.LeaseOwner, job.LeaseExpiresMs, job.CompletedAt));
        var row = await h.DeliveryAsync(delivery);
        Assert.Equal((DeliveryOutcome.Pending, null, null), (row.Outcome, row.OutcomeReason, row.CompletedAt));
        Assert.Equal(id, (await h.Queue.ClaimAsync("w", Ct))?.Id);
    }
}
