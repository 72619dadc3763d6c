using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Knowledge;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Sync;

/// <summary>The sync runner over <c>sync_jobs</c>, on both databases, driven one claim at a time with a scripted task.</summary>
public sealed class SyncRunnerTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_job_runs_every_step_from_the_start_storing_each_cursor_before_the_next_step_and_ends_done(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);
        var stored = new List<string?>();
        kit.Task.Step = async (_, cursor) =>
        {
            stored.Add((await kit.JobAsync()).Cursor);
            return cursor switch { null => "1", "1" => "2", _ => null };
        };
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));

        Assert.Equal([null, "1", "2"], kit.Task.Seen);
        Assert.Equal([null, "1", "2"], stored);
        var job = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Done, (string?)null, (string?)null), (job.Status, job.Cursor, job.LastError));
        Assert.False(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct)); // nothing left to claim
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_job_whose_process_died_is_taken_over_from_its_last_stored_cursor_once_the_lease_lapses(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);
        var inAMinute = DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeMilliseconds();
        await kit.App.QueryAsync(db => db.SyncJobs.ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, SyncJobStatus.Running).SetProperty(j => j.Cursor, "2").SetProperty(j => j.Attempts, 1)
            .SetProperty(j => j.LeaseOwner, "a-process-that-died").SetProperty(j => j.LeaseExpiresMs, inAMinute)));

        Assert.False(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct)); // its lease still holds

        await kit.App.QueryAsync(db => db.SyncJobs.ExecuteUpdateAsync(u => u.SetProperty(j => j.LeaseExpiresMs, 1L)));
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));

        Assert.Equal(["2"], kit.Task.Seen);
        Assert.Equal(SyncJobStatus.Done, (await kit.JobAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_transient_failure_waits_and_resumes_from_the_cursor_and_SYNC_MAX_ATTEMPTS_runs_without_progress_park_the_job_with_the_reason(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider, new Dictionary<string, string?> { ["SYNC_MAX_ATTEMPTS"] = "2" });
        kit.Task.Step = (_, cursor) => cursor is null ? Task.FromResult<string?>("1") : throw new HttpRequestException("connection reset by peer");
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        var waiting = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Queued, "1", 1), (waiting.Status, waiting.Cursor, waiting.Attempts));
        Assert.Contains("connection reset by peer", waiting.LastError, StringComparison.Ordinal);
        Assert.True(waiting.NextAttemptAtMs > DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - 1000);

        await kit.MakeDueAsync();
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));

        Assert.Equal([null, "1", "1"], kit.Task.Seen);
        var parked = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Failed, "1", 2), (parked.Status, parked.Cursor, parked.Attempts));
        Assert.Equal("gave up after 2 runs without progress: connection reset by peer", parked.LastError);
        Assert.False(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_failure_that_retrying_cannot_fix_parks_the_job_at_once(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);
        kit.Task.Step = (_, _) => throw new GitHubApiException(System.Net.HttpStatusCode.NotFound, "GET", "repos/acme/sync/pulls", "Not Found");
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));

        var job = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Failed, 1), (job.Status, job.Attempts));
        Assert.Contains("404", job.LastError, StringComparison.Ordinal);
        Assert.Contains("the repository is gone, or the token cannot see it", job.LastError, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_rate_limited_step_waits_for_the_reset_keeping_its_cursor_and_spending_no_attempt(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider, new Dictionary<string, string?> { ["SYNC_MAX_ATTEMPTS"] = "1" });
        var reset = DateTimeOffset.UtcNow.AddMinutes(30);
        kit.Task.Step = (_, cursor) => cursor is null ? Task.FromResult<string?>("1") : throw new GitHubRateLimitedException(reset);
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));

        var job = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Queued, "1", 0), (job.Status, job.Cursor, job.Attempts));
        Assert.Equal(reset.ToUnixTimeMilliseconds(), job.NextAttemptAtMs);
        Assert.False(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct)); // not before the reset

        // Past the reset, with SYNC_MAX_ATTEMPTS=1: the wait cost nothing, so the job runs on.
        kit.Task.Step = (_, _) => Task.FromResult<string?>(null);
        await kit.MakeDueAsync();
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        Assert.Equal([null, "1", "1"], kit.Task.Seen);
        Assert.Equal(SyncJobStatus.Done, (await kit.JobAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Requeueing_a_running_job_stops_that_run_and_starts_again_from_the_beginning(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);
        kit.Task.Step = async (repo, cursor) =>
        {
            if (cursor == "1")
            {
                await kit.Sync.EnqueueAsync(repo, ScriptedSyncTask.KindName, Ct); // a rescan while this run is mid-way
            }

            return cursor switch { null => "1", "1" => "2", _ => null };
        };
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        var requeued = await kit.JobAsync();
        Assert.Equal((SyncJobStatus.Queued, (string?)null), (requeued.Status, requeued.Cursor));

        kit.Task.Step = (_, cursor) => Task.FromResult(cursor is null ? "1" : (string?)null);
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        Assert.Equal([null, "1", null, "1"], kit.Task.Seen);
        Assert.Equal(SyncJobStatus.Done, (await kit.JobAsync()).Status);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Two_runners_claiming_at_once_never_take_the_same_job(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(i => kit.Queue.ClaimAsync($"runner-{i}", Ct)));

        var claimed = Assert.Single(claims, c => c is not null);
        Assert.Equal((SyncJobStatus.Running, 1), (claimed!.Status, claimed.Attempts));
    }

    [Fact]
    public async Task A_failure_that_explains_itself_is_logged_with_its_reason_alone_and_an_unexpected_one_with_its_stack_trace()
    {
        var logs = new Jobs.LogRecorder();
        await using var kit = await SyncTestKit.StartAsync("sqlite", logs: logs);
        kit.Task.Step = (_, _) => throw new GitHubApiException(System.Net.HttpStatusCode.NotFound, "GET", "repos/acme/sync/pulls", "Not Found");
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        var gone = await kit.JobAsync();
        await kit.App.QueryAsync(db => db.SyncJobs.ExecuteDeleteAsync(Ct));
        kit.Task.Step = (_, _) => throw new InvalidOperationException("a bug in a sync task");
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        var bug = await kit.JobAsync();

        var parked = logs.Entries.Where(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("parked", StringComparison.Ordinal)).ToList();
        var fromGitHub = Assert.Single(parked, e => e.JobId == gone.Id);
        Assert.Contains("GitHub answered 404", fromGitHub.Message, StringComparison.Ordinal);
        Assert.Contains("the repository is gone, or the token cannot see it", fromGitHub.Message, StringComparison.Ordinal);
        Assert.Null(fromGitHub.Exception);
        var fromBug = Assert.Single(parked, e => e.JobId == bug.Id);
        Assert.IsType<InvalidOperationException>(fromBug.Exception);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task EnqueueAll_queues_every_registered_kind_once_and_a_kind_this_version_lacks_is_parked(string provider)
    {
        await using var kit = await SyncTestKit.StartAsync(provider);

        await kit.Sync.EnqueueAllAsync(SyncTestKit.Repo, Ct);
        await kit.Sync.EnqueueAllAsync(SyncTestKit.Repo, Ct);
        await kit.Sync.EnqueueAsync(SyncTestKit.Repo, "from-a-newer-version", Ct);

        var kinds = await kit.App.QueryAsync(db => db.SyncJobs.Where(j => j.Status == SyncJobStatus.Queued).Select(j => j.Kind).ToListAsync());
        Assert.Equal(kinds.Count, kinds.Distinct().Count()); // once each, however often queued
        Assert.Contains(KnowledgeBackfill.KindName, kinds);
        Assert.Contains(ScriptedSyncTask.KindName, kinds);
        Assert.Equal(kit.Sync.Kinds().Append("from-a-newer-version").Order(StringComparer.Ordinal), kinds.Order(StringComparer.Ordinal));

        await kit.App.QueryAsync(db => db.SyncJobs.Where(j => j.Kind != "from-a-newer-version").ExecuteDeleteAsync());
        Assert.True(await kit.Runner.RunNextAsync(SyncTestKit.Owner, Ct));
        var job = await kit.JobAsync("from-a-newer-version");
        Assert.Equal((SyncJobStatus.Failed, "no sync task of kind 'from-a-newer-version' in this version of Nectr"), (job.Status, job.LastError));
    }

    [Fact]
    public async Task The_hosted_runner_runs_queued_jobs_and_SYNC_CONCURRENCY_0_leaves_them_queued()
    {
        await using var off = await SyncTestKit.StartAsync("sqlite");
        await off.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);

        await using var on = await SyncTestKit.StartAsync("sqlite", new Dictionary<string, string?> { ["SYNC_CONCURRENCY"] = "1" });
        await on.Sync.EnqueueAsync(SyncTestKit.Repo, ScriptedSyncTask.KindName, Ct);
        await on.App.WaitUntilAsync(db => db.SyncJobs.AnyAsync(j => j.Kind == ScriptedSyncTask.KindName && j.Status == SyncJobStatus.Done), what: "the hosted runner to finish the job");

        Assert.Equal([null, "1", "2"], on.Task.Seen);
        Assert.Empty(off.Task.Seen);
        Assert.Equal(SyncJobStatus.Queued, (await off.JobAsync()).Status);
    }
}
