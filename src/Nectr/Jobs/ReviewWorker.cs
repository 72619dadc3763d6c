using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Reviews;

namespace Nectr.Jobs;

/// <summary>
/// Runs <c>REVIEW_CONCURRENCY</c> review loops. Each loop claims a job, keeps its lease alive while the review
/// runs (<see cref="LeaseKeeper"/>, which cancels the review once the lease cannot be trusted), and ends it with
/// exactly one outcome: done, skipped, re-queued with backoff, or parked with a reason. Every one of those writes is
/// conditional on still holding the lease; when it is refused, the worker that holds the job now decides.
/// </summary>
internal sealed partial class ReviewWorker(
    JobQueue queue,
    JobSignal signal,
    IServiceScopeFactory scopes,
    IOptions<JobOptions> options,
    TimeProvider time,
    ILogger<ReviewWorker> logger) : BackgroundService
{
    /// <summary>Names this process in lease columns, so an operator can tell which instance holds a job.</summary>
    private readonly string _instance = $"{Environment.MachineName[..Math.Min(60, Environment.MachineName.Length)]}:{Environment.ProcessId}:{Guid.NewGuid().ToString("N")[..8]}";

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = Enumerable.Range(0, options.Value.Concurrency)
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
                    await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
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
                await Task.Delay(options.Value.PollInterval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task RunAsync(ReviewJob job, string owner, CancellationToken stoppingToken)
    {
        if (job.Attempts > options.Value.MaxAttempts)
        {
            // Its lease expired on the last allowed attempt: the process running it died or hung every time.
            await EndAsync(job, owner, JobStatus.Parked,
                $"gave up after {options.Value.MaxAttempts} attempts; last error: {job.LastError ?? "the worker stopped before finishing (lease expired)"}", null);
            return;
        }

        Log.Started(logger, job.RepositoryFullName, job.PullNumber, job.Id, job.Attempts);
        if (await ReviewAsync(job, owner, stoppingToken) is { } outcome)
        {
            await EndAsync(job, owner, outcome.Status, outcome.Reason, outcome.Review);
        }
    }

    /// <summary>Runs the review while its lease is kept; null when the job was handed back, retried, parked or lost instead.</summary>
    private async Task<RunOutcome?> ReviewAsync(ReviewJob job, string owner, CancellationToken stoppingToken)
    {
        var leaseUntil = DateTimeOffset.FromUnixTimeMilliseconds(job.LeaseExpiresMs ?? 0);
        await using var lease = LeaseKeeper.Start(job.Id, leaseUntil, ct => queue.RenewAsync(job.Id, owner, ct), options.Value.Lease, time, logger, stoppingToken);
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            // One retry budget for everything this run calls (GitHub reads, the LLM), sized for the job's attempt.
            scope.ServiceProvider.GetRequiredService<RetryBudgetScope>().ForJob(job.Attempts);
            return job.Kind == JobKind.Command
                ? await scope.ServiceProvider.GetRequiredService<Commands.CommandRunner>().RunAsync(job, owner, lease.Token)
                : await scope.ServiceProvider.GetRequiredService<ReviewRunner>().RunAsync(job, owner, lease.Token);
        }
        catch (Exception) when (stoppingToken.IsCancellationRequested && !lease.Lost)
        {
            // Shutting down: hand the job back now instead of making the next process wait for the lease to expire.
            await HandBackAsync(job, owner, time.GetUtcNow(), "interrupted by shutdown", countAttempt: false);
        }
        catch (Exception ex) when (ex is LeaseLostException || lease.Lost)
        {
            // Another worker has the job, or soon may: write nothing, it decides the outcome.
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

        return null;
    }

    /// <summary>Records the job's terminal outcome, unless the lease was lost first: then the successor records its own.</summary>
    private async Task EndAsync(ReviewJob job, string owner, JobStatus status, string reason, ReviewRecord? review)
    {
        var recorded = job.Kind == JobKind.Command && status == JobStatus.Done
            ? await queue.CompleteCommandAsync(job.Id, owner, reason, CancellationToken.None)
            : await queue.CompleteAsync(job.Id, owner, status, reason, review, CancellationToken.None);
        if (recorded)
        {
            Log.Finished(logger, job.RepositoryFullName, job.PullNumber, job.Id, status, reason);
            if (status == JobStatus.Parked)
            {
                await ReportParkedAsync(job, reason);
            }
        }
        else
        {
            // A posted review is not lost: the job is marked PostAttempted, so whoever holds it now finds the review by
            // its marker on the PR instead of posting a second one.
            Log.NotRecorded(logger, job.RepositoryFullName, job.PullNumber, job.Id, status, reason);
        }
    }

    private async Task HandBackAsync(ReviewJob job, string owner, DateTimeOffset runAfter, string reason, bool countAttempt)
    {
        if (!await queue.RetryLaterAsync(job.Id, owner, runAfter, reason, countAttempt, CancellationToken.None))
        {
            Log.LeaseLost(logger, job.Id);
        }
    }

    private async Task FailAsync(ReviewJob job, string owner, Exception ex)
    {
        var reason = Describe(ex);
        if (!IsRetryable(ex) || job.Attempts >= options.Value.MaxAttempts)
        {
            var why = IsRetryable(ex) ? $"gave up after {job.Attempts} attempts: {reason}" : reason;
            if (await queue.CompleteAsync(job.Id, owner, JobStatus.Parked, why, null, CancellationToken.None))
            {
                Log.Parked(logger, GitHubFailures.SpeakForThemselves(ex) || ex is Llm.LlmException ? null : ex, job.RepositoryFullName, job.PullNumber, job.Id, why);
                await ReportParkedAsync(job, why);
            }
            else
            {
                Log.NotRecorded(logger, job.RepositoryFullName, job.PullNumber, job.Id, JobStatus.Parked, why);
            }

            return;
        }

        var at = queue.NextAttemptAt(job.Attempts);
        if (await queue.RetryLaterAsync(job.Id, owner, at, reason, countAttempt: true, CancellationToken.None))
        {
            Log.WillRetry(logger, job.RepositoryFullName, job.PullNumber, job.Id, job.Attempts, at, reason);
        }
        else
        {
            Log.LeaseLost(logger, job.Id);
        }
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
            if (await queue.CompleteAsync(job.Id, owner, JobStatus.Parked, why, null, CancellationToken.None))
            {
                Log.Parked(logger, null, job.RepositoryFullName, job.PullNumber, job.Id, why);
                await ReportParkedAsync(job, why);
            }
            else
            {
                Log.NotRecorded(logger, job.RepositoryFullName, job.PullNumber, job.Id, JobStatus.Parked, why);
            }

            return;
        }

        if (await queue.RetryLaterAsync(job.Id, owner, ex.Until, ex.Message, countAttempt: false, CancellationToken.None))
        {
            Log.RateLimited(logger, job.RepositoryFullName, job.PullNumber, job.Id, ex.Until, ex.Message);
        }
        else
        {
            Log.LeaseLost(logger, job.Id);
        }
    }

    /// <summary>The head's Nectr check run (or commit status) says the review was parked, and why; a command has no head to report on.</summary>
    private async Task ReportParkedAsync(ReviewJob job, string reason)
    {
        if (job.Kind != JobKind.Review)
        {
            return;
        }

        await using var scope = scopes.CreateAsyncScope();
        await scope.ServiceProvider.GetRequiredService<Checks.ReviewChecks>().ParkedAsync(job, reason, CancellationToken.None);
    }

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
        GitHubApiException or GitHubTokenUnavailableException or GitHubIncompleteAnswerException or HttpRequestException => ex.Message,
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
        public static partial void Parked(ILogger logger, Exception? exception, string repository, int number, long jobId, string reason);

        [LoggerMessage(5, LogLevel.Warning, "Lost the lease on job {JobId}; stopped its review and left the job to the worker that takes it over")]
        public static partial void LeaseLost(ILogger logger, long jobId);

        [LoggerMessage(8, LogLevel.Warning, "Job {JobId} for {Repository}#{Number} finished ({Outcome}: {Reason}) after its lease was lost, so that was not recorded; the worker holding the job now decides, and finds a posted review by its marker instead of posting again")]
        public static partial void NotRecorded(ILogger logger, string repository, int number, long jobId, JobStatus outcome, string reason);

        [LoggerMessage(9, LogLevel.Warning, "Job {JobId} for {Repository}#{Number} waits for GitHub's rate limit until {RetryAt:u}: {Reason}")]
        public static partial void RateLimited(ILogger logger, string repository, int number, long jobId, DateTimeOffset retryAt, string reason);

        [LoggerMessage(6, LogLevel.Error, "Review loop failed; retrying shortly")]
        public static partial void LoopFailed(ILogger logger, Exception exception);
    }
}
