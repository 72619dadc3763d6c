using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Reviews;

namespace Nectr.Jobs;

/// <summary>
/// Runs <c>REVIEW_CONCURRENCY</c> review loops. Each loop claims a job, keeps its lease alive while the review
/// runs, and ends it with exactly one outcome: done, skipped, re-queued with backoff, or parked with a reason.
/// </summary>
internal sealed partial class ReviewWorker(
    JobQueue queue,
    JobSignal signal,
    IServiceScopeFactory scopes,
    NectrOptions options,
    TimeProvider time,
    ILogger<ReviewWorker> logger) : BackgroundService
{
    /// <summary>Names this process in lease columns, so an operator can tell which instance holds a job.</summary>
    private readonly string _instance = $"{Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)]}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Enumerable.Range(0, options.Queue.Concurrency)
            .Select(i => Task.Run(() => LoopAsync($"{_instance}#{i}", stoppingToken), CancellationToken.None));
        return Task.WhenAll(loops);
    }

    private async Task LoopAsync(string owner, CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var job = await queue.ClaimAsync(owner, stoppingToken);
                if (job is null)
                {
                    await signal.WaitAsync(options.Queue.PollInterval, stoppingToken);
                    continue;
                }

                await RunAsync(job, owner, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // The database is unreachable or similar: back off rather than spin.
                Log.LoopFailed(logger, ex);
                await Task.Delay(options.Queue.PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(ReviewJob job, string owner, CancellationToken stoppingToken)
    {
        if (job.Attempts > options.Queue.MaxAttempts)
        {
            // Its lease expired on the last allowed attempt: the process running it died or hung every time.
            await queue.CompleteAsync(job.Id, owner, JobStatus.Parked,
                $"gave up after {options.Queue.MaxAttempts} attempts; last error: {job.LastError ?? "the worker stopped before finishing (lease expired)"}", null, stoppingToken);
            return;
        }

        Log.Started(logger, job.RepositoryFullName, job.PullNumber, job.Id, job.Attempts);
        using var leaseLost = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var renewing = RenewLeaseAsync(job.Id, owner, leaseLost);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var runner = scope.ServiceProvider.GetRequiredService<ReviewRunner>();
            var outcome = await runner.RunAsync(job, owner, leaseLost.Token);
            await queue.CompleteAsync(job.Id, owner, outcome.Status, outcome.Reason, outcome.Review, CancellationToken.None);
            Log.Finished(logger, job.RepositoryFullName, job.PullNumber, job.Id, outcome.Status, outcome.Reason);
        }
        catch (Exception ex) when (stoppingToken.IsCancellationRequested)
        {
            // Shutting down: hand the job back now instead of making the next process wait for the lease to expire.
            _ = ex;
            await queue.RetryLaterAsync(job.Id, owner, time.GetUtcNow(), "interrupted by shutdown", countAttempt: false, CancellationToken.None);
        }
        catch (Exception ex) when (ex is LeaseLostException || leaseLost.IsCancellationRequested)
        {
            Log.LeaseLost(logger, job.Id);
        }
        catch (GitHubRateLimitedException ex)
        {
            await RateLimitedAsync(job, owner, ex);
        }
        catch (Exception ex)
        {
            await FailAsync(job, owner, ex);
        }
        finally
        {
            await leaseLost.CancelAsync();
            await renewing.ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    private async Task FailAsync(ReviewJob job, string owner, Exception ex)
    {
        var reason = Describe(ex);
        if (!IsRetryable(ex) || job.Attempts >= options.Queue.MaxAttempts)
        {
            var why = IsRetryable(ex) ? $"gave up after {job.Attempts} attempts: {reason}" : reason;
            await queue.CompleteAsync(job.Id, owner, JobStatus.Parked, why, null, CancellationToken.None);
            Log.Parked(logger, ex, job.RepositoryFullName, job.PullNumber, job.Id, why);
            return;
        }

        var at = queue.NextAttemptAt(job.Attempts);
        await queue.RetryLaterAsync(job.Id, owner, at, reason, countAttempt: true, CancellationToken.None);
        Log.WillRetry(logger, job.RepositoryFullName, job.PullNumber, job.Id, job.Attempts, at, reason);
    }

    /// <summary>
    /// A rate limit is a wait, not a failure: the job goes back to the queue for the reset time without spending an
    /// attempt. Only when GitHub's secondary limit refused this job's request after refusing every request for a long
    /// while (<see cref="RateLimitGate.MaxSecondaryInARow"/> in a row, minutes apart and doubling) is it parked.
    /// </summary>
    private async Task RateLimitedAsync(ReviewJob job, string owner, GitHubRateLimitedException ex)
    {
        if (ex.SecondaryInARow >= RateLimitGate.MaxSecondaryInARow)
        {
            var why = $"GitHub's secondary rate limit refused {ex.SecondaryInARow} requests in a row, the last at {time.GetUtcNow():u}: "
                + "the token makes too many requests at once. Lower REVIEW_CONCURRENCY or give Nectr its own token, then redeliver the webhook.";
            await queue.CompleteAsync(job.Id, owner, JobStatus.Parked, why, null, CancellationToken.None);
            Log.Parked(logger, ex, job.RepositoryFullName, job.PullNumber, job.Id, why);
            return;
        }

        await queue.RetryLaterAsync(job.Id, owner, ex.Until, ex.Message, countAttempt: false, CancellationToken.None);
        Log.RateLimited(logger, job.RepositoryFullName, job.PullNumber, job.Id, ex.Until, ex.Message);
    }

    /// <summary>Keeps the lease alive at a third of its length; cancels the run if the lease is lost.</summary>
    private Task RenewLeaseAsync(long jobId, string owner, CancellationTokenSource run) => Task.Run(async () =>
    {
        var every = options.Queue.Lease / 3;
        while (!run.IsCancellationRequested)
        {
            await Task.Delay(every, time, run.Token);
            try
            {
                if (!await queue.RenewAsync(jobId, owner, run.Token))
                {
                    await run.CancelAsync();
                }
            }
            catch (System.Data.Common.DbException ex)
            {
                // One failed renewal is not a lost lease: two more chances remain before it expires.
                Log.RenewFailed(logger, ex, jobId);
            }
        }
    });

    private static bool IsRetryable(Exception ex) => ex switch
    {
        GitHubApiException api => api.IsTransient,
        GitHubTokenUnavailableException => false,
        Llm.LlmException llm => !llm.Permanent,
        HttpRequestException or TimeoutException or TaskCanceledException or Polly.Timeout.TimeoutRejectedException => true,
        System.Data.Common.DbException => true,
        _ => false,
    };

    private static string Describe(Exception ex) => ex switch
    {
        GitHubApiException api when api.Status == System.Net.HttpStatusCode.NotFound =>
            api.Message + " (the pull request is gone, or the token cannot see this repository)",
        GitHubApiException api when api.Status == System.Net.HttpStatusCode.Unauthorized =>
            api.Message + " (GITHUB_PAT is invalid or expired)",
        GitHubApiException or GitHubTokenUnavailableException or HttpRequestException => ex.Message,
        Llm.LlmException llm => "LLM: " + llm.Reason,
        TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException => "GitHub did not answer in time",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Reviewing {Repository}#{Number} (job {JobId}, attempt {Attempt})")]
        public static partial void Started(ILogger logger, string repository, int number, long jobId, int attempt);

        [LoggerMessage(2, LogLevel.Information, "Job {JobId} for {Repository}#{Number} ended {Status}: {Reason}")]
        public static partial void Finished(ILogger logger, string repository, int number, long jobId, JobStatus status, string reason);

        [LoggerMessage(3, LogLevel.Warning, "Job {JobId} for {Repository}#{Number} failed (attempt {Attempt}); retrying at {RetryAt:u}: {Reason}")]
        public static partial void WillRetry(ILogger logger, string repository, int number, long jobId, int attempt, DateTimeOffset retryAt, string reason);

        [LoggerMessage(4, LogLevel.Error, "Job {JobId} for {Repository}#{Number} parked: {Reason}")]
        public static partial void Parked(ILogger logger, Exception exception, string repository, int number, long jobId, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Lost the lease on job {JobId}; another worker has it")]
        public static partial void LeaseLost(ILogger logger, long jobId);

        [LoggerMessage(7, LogLevel.Warning, "Could not renew the lease on job {JobId}; trying again")]
        public static partial void RenewFailed(ILogger logger, Exception exception, long jobId);

        [LoggerMessage(8, LogLevel.Warning, "Job {JobId} for {Repository}#{Number} waits for GitHub's rate limit until {RetryAt:u}: {Reason}")]
        public static partial void RateLimited(ILogger logger, string repository, int number, long jobId, DateTimeOffset retryAt, string reason);

        [LoggerMessage(6, LogLevel.Error, "Review loop failed; retrying shortly")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
