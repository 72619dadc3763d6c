using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Jobs;

namespace Nectr.Sync;

/// <summary>
/// Runs <c>SYNC_CONCURRENCY</c> loops over <c>sync_jobs</c>. Each loop claims a due job (a lease, as review jobs have:
/// two processes on one PostgreSQL never run the same job, and a dead process's job is taken over when its lease
/// lapses), runs its <see cref="IRepositorySyncTask"/> step by step, each step in a fresh DI scope with its own retry
/// budget, and stores the cursor after every step. A rate limit re-queues the job for GitHub's reset without spending
/// an attempt; other transient failures back off (the review queue's backoff); <c>SYNC_MAX_ATTEMPTS</c> runs in a row
/// without progress, or one failure retrying cannot fix, park the job with the reason.
/// </summary>
internal sealed partial class SyncRunner(
    SyncQueue queue,
    SyncSignal signal,
    JobQueue backoff,
    IServiceScopeFactory scopes,
    IOptions<SyncOptions> options,
    IOptions<JobOptions> jobs,
    TimeProvider time,
    ILogger<SyncRunner> logger) : BackgroundService
{
    private readonly string _instance = $"{Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)]}:{Environment.ProcessId}:sync:{Guid.NewGuid().ToString("N")[..8]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, options.Value.Concurrency)
            .Select(i => Task.Run(() => LoopAsync($"{_instance}#{i}", stoppingToken), CancellationToken.None)));

    private async Task LoopAsync(string owner, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!await RunNextAsync(owner, stoppingToken))
                {
                    await signal.WaitAsync(jobs.Value.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is unreachable or similar: back off rather than spin.
                Log.LoopFailed(logger, ex);
                await Task.Delay(jobs.Value.PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Claims one due job and runs it until it is done, waits, fails or is lost; false when no job was due.</summary>
    internal async Task<bool> RunNextAsync(string owner, CancellationToken stoppingToken)
    {
        if (await queue.ClaimAsync(owner, stoppingToken) is not { } job)
        {
            return false;
        }

        if (job.Attempts > options.Value.MaxAttempts)
        {
            // Its lease lapsed on the last allowed run: the process running it died or hung every time.
            await ParkAsync(job, owner, $"gave up after {options.Value.MaxAttempts} runs without progress; last error: {job.LastError ?? "the runner stopped before finishing a step (lease expired)"}", null);
            return true;
        }

        Log.Started(logger, job.RepositoryFullName, job.Kind, job.Id, job.Attempts, job.Cursor);
        var leaseUntil = DateTimeOffset.FromUnixTimeMilliseconds(job.LeaseExpiresMs ?? 0);
        await using var lease = LeaseKeeper.Start(job.Id, leaseUntil, ct => queue.RenewAsync(job.Id, owner, ct), jobs.Value.Lease, time, logger, stoppingToken);
        try
        {
            await StepsAsync(job, owner, lease);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested && !lease.Lost)
        {
            // Shutting down: hand the job back now instead of making the next process wait for the lease to lapse.
            await queue.RetryLaterAsync(job.Id, owner, time.GetUtcNow(), "interrupted by shutdown", countAttempt: false, CancellationToken.None);
        }
        catch (Exception) when (lease.Lost)
        {
            Log.LeaseLost(logger, job.RepositoryFullName, job.Kind, job.Id);
        }
        catch (GitHubRateLimitedException ex)
        {
            await RateLimitedAsync(job, owner, ex);
        }
        catch (Exception ex)
        {
            await FailAsync(job, owner, ex);
        }

        return true;
    }

    private async Task StepsAsync(SyncJobRecord job, string owner, LeaseKeeper lease)
    {
        var cursor = job.Cursor;
        var attempt = job.Attempts;
        while (true)
        {
            string? next;
            await using (var scope = scopes.CreateAsyncScope())
            {
                scope.ServiceProvider.GetRequiredService<RetryBudgetScope>().ForJob(attempt);
                var task = scope.ServiceProvider.GetServices<IRepositorySyncTask>().FirstOrDefault(t => t.Kind == job.Kind);
                if (task is null)
                {
                    await ParkAsync(job, owner, $"no sync task of kind '{job.Kind}' in this version of Nectr", null);
                    return;
                }

                next = await task.StepAsync(job.RepositoryFullName, cursor, lease.Token);
            }

            if (next is null)
            {
                if (await queue.CompleteAsync(job.Id, owner, CancellationToken.None))
                {
                    Log.Done(logger, job.RepositoryFullName, job.Kind, job.Id);
                }
                else
                {
                    Log.LeaseLost(logger, job.RepositoryFullName, job.Kind, job.Id);
                }

                return;
            }

            if (next.Length > SyncJobModel.MaxCursorLength)
            {
                throw new InvalidOperationException($"The {job.Kind} step returned a cursor of {next.Length} characters; at most {SyncJobModel.MaxCursorLength} are stored.");
            }

            if (!await queue.AdvanceAsync(job.Id, owner, next, CancellationToken.None))
            {
                // Requeued (start again) or taken over: whoever holds the job now goes on.
                Log.LeaseLost(logger, job.RepositoryFullName, job.Kind, job.Id);
                return;
            }

            cursor = next;
            attempt = 1; // progress: the next step gets a first run's retry budget
        }
    }

    /// <summary>A rate limit is a wait, not a failure, unless GitHub's secondary limit has refused everything for a long while.</summary>
    private async Task RateLimitedAsync(SyncJobRecord job, string owner, GitHubRateLimitedException ex)
    {
        if (ex.SecondaryInARow >= RateLimitGate.MaxSecondaryInARow)
        {
            await ParkAsync(job, owner, $"GitHub's secondary rate limit refused {ex.SecondaryInARow} requests in a row: the token makes too many requests at once. Lower SYNC_CONCURRENCY or give Nectr its own token, then rescan.", ex);
            return;
        }

        if (await queue.RetryLaterAsync(job.Id, owner, ex.Until, ex.Message, countAttempt: false, CancellationToken.None))
        {
            Log.RateLimited(logger, job.RepositoryFullName, job.Kind, job.Id, ex.Until);
        }
    }

    private async Task FailAsync(SyncJobRecord job, string owner, Exception ex)
    {
        var reason = Describe(ex);
        if (!IsRetryable(ex) || job.Attempts >= options.Value.MaxAttempts)
        {
            await ParkAsync(job, owner, IsRetryable(ex) ? $"gave up after {job.Attempts} runs without progress: {reason}" : reason, ex);
            return;
        }

        var at = backoff.NextAttemptAt(job.Attempts);
        if (await queue.RetryLaterAsync(job.Id, owner, at, reason, countAttempt: true, CancellationToken.None))
        {
            Log.WillRetry(logger, GitHubFailures.TraceOf(ex), job.RepositoryFullName, job.Kind, job.Id, job.Attempts, at, reason);
        }
    }

    private async Task ParkAsync(SyncJobRecord job, string owner, string reason, Exception? ex)
    {
        if (await queue.ParkAsync(job.Id, owner, reason, CancellationToken.None))
        {
            Log.Parked(logger, ex is null ? null : GitHubFailures.TraceOf(ex), job.RepositoryFullName, job.Kind, job.Id, reason);
        }
    }

    private static bool IsRetryable(Exception ex) => ex switch
    {
        GitHubApiException api => api.IsTransient,
        GitHubTokenUnavailableException => false,
        HttpRequestException or TimeoutException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException => true,
        System.Data.Common.DbException => true,
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        GitHubApiException api when api.Status == System.Net.HttpStatusCode.NotFound =>
            api.Message + " (the repository is gone, or the token cannot see it)",
        GitHubApiException api when api.Status == System.Net.HttpStatusCode.Unauthorized =>
            api.Message + " (GITHUB_PAT is invalid or expired)",
        GitHubApiException or GitHubTokenUnavailableException or GitHubIncompleteAnswerException or HttpRequestException => ex.Message,
        TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException => "GitHub did not answer in time",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Sync {Kind} of {Repository} (job {JobId}, run {Attempt}) starts at cursor {Cursor}")]
        public static partial void Started(ILogger logger, string repository, string kind, long jobId, int attempt, string? cursor);

        [LoggerMessage(2, LogLevel.Information, "Sync {Kind} of {Repository} (job {JobId}) is done")]
        public static partial void Done(ILogger logger, string repository, string kind, long jobId);

        [LoggerMessage(3, LogLevel.Warning, "Sync {Kind} of {Repository} (job {JobId}) failed (run {Attempt}); retrying at {RetryAt:u}: {Reason}")]
        public static partial void WillRetry(ILogger logger, Exception? exception, string repository, string kind, long jobId, int attempt, DateTimeOffset retryAt, string reason);

        [LoggerMessage(4, LogLevel.Error, "Sync {Kind} of {Repository} (job {JobId}) parked: {Reason}")]
        public static partial void Parked(ILogger logger, Exception? exception, string repository, string kind, long jobId, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Sync {Kind} of {Repository} (job {JobId}) waits for GitHub's rate limit until {RetryAt:u}")]
        public static partial void RateLimited(ILogger logger, string repository, string kind, long jobId, DateTimeOffset retryAt);

        [LoggerMessage(6, LogLevel.Warning, "Sync {Kind} of {Repository} (job {JobId}) lost its lease (requeued or taken over); the holder goes on")]
        public static partial void LeaseLost(ILogger logger, string repository, string kind, long jobId);

        [LoggerMessage(7, LogLevel.Error, "Sync loop failed; retrying shortly")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
