using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Jobs;

/// <summary>
/// The database-backed review queue, and with <see cref="IntakeJobs"/> the only writer of job and delivery status.
/// A job is claimed by taking a lease; a process that dies simply stops renewing it, and when the lease expires
/// another claim takes the job over. Every status change is a conditional update (the expected status, and the
/// lease owner where one holds the job) whose row count the caller acts on, so a worker that lost its lease can
/// never overwrite its successor's outcome.
/// </summary>
internal sealed class JobQueue(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IOptions<JobOptions> options, TimeProvider time)
{
    /// <summary>
    /// Another process started a review of the same PR between our read and our write, and the partial unique index
    /// refused the second one: look again at once (another PR's job may be runnable), four more times at most.
    /// </summary>
    private static readonly Polly.ResiliencePipeline ClaimConflicts = WriteConflicts.RetryAtOnce(4, WriteConflicts.IsUniqueViolation);

    /// <summary>Another process queued the same head's rerun between our read and our write: read again, and find it.</summary>
    private static readonly Polly.ResiliencePipeline RequestConflicts = WriteConflicts.RetryAtOnce(2, WriteConflicts.IsRefusedWrite);

    private readonly JobOptions _queue = options.Value;

    /// <summary>Claims the next runnable job for <paramref name="owner"/>, or returns null when there is none.</summary>
    public async Task<ReviewJob?> ClaimAsync(string owner, CancellationToken cancellationToken)
    {
        try
        {
            return await ClaimConflicts.ExecuteAsync(async ct =>
            {
                using var _ = await writeGate.EnterAsync(ct);
                await using var db = await dbs.CreateDbContextAsync(ct);
                var id = await ClaimOneAsync(db, owner, ct);
                return id is null ? null : await db.ReviewJobs.AsNoTracking().FirstAsync(j => j.Id == id, ct);
            }, cancellationToken);
        }
        catch (DbException ex) when (WriteConflicts.IsUniqueViolation(ex))
        {
            return null; // five conflicts in a row: the next poll looks again
        }
    }

    private async Task<long?> ClaimOneAsync(NectrDb db, string owner, CancellationToken cancellationToken)
    {
        // Runnable: queued and due, or running with an expired lease (its process died). Not runnable while another
        // job of the same PR is running, even on an expired lease: that one is taken over first, which keeps the
        // one-running-per-PR index satisfied. SKIP LOCKED lets several processes claim different rows at once.
        var sql = $"""
            UPDATE review_jobs SET "Status" = 1, "LeaseOwner" = @owner, "LeaseExpiresMs" = @lease,
                   "Attempts" = "Attempts" + 1, "UpdatedAt" = @nowUtc
            WHERE "Id" = (
                SELECT j."Id" FROM review_jobs j
                WHERE ((j."Status" = 0 AND j."RunAfterMs" <= @now) OR (j."Status" = 1 AND j."LeaseExpiresMs" < @now))
                  AND NOT EXISTS (
                      SELECT 1 FROM review_jobs r
                      WHERE r."RepositoryFullName" = j."RepositoryFullName" AND r."PullNumber" = j."PullNumber"
                        AND r."Status" = 1 AND r."Id" <> j."Id")
                ORDER BY j."RunAfterMs", j."Id"
                LIMIT 1
                {(db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "")})
            RETURNING "Id"
            """;

        var now = time.GetUtcNow();
        await db.Database.OpenConnectionAsync(cancellationToken);
        await using var command = db.Database.GetDbConnection().CreateCommand();
        command.CommandText = sql;
        Add(command, "owner", owner);
        Add(command, "now", now.ToUnixTimeMilliseconds());
        Add(command, "lease", (now + _queue.Lease).ToUnixTimeMilliseconds());
        Add(command, "nowUtc", now.UtcDateTime);
        var result = await command.ExecuteScalarAsync(cancellationToken);
        return result is null or DBNull ? null : Convert.ToInt64(result, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// Extends the lease and returns when it now expires; null means the lease was lost (the job was taken over or
    /// ended) and the work must stop.
    /// </summary>
    public async Task<DateTimeOffset?> RenewAsync(long jobId, string owner, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + _queue.Lease;
        var lease = until.ToUnixTimeMilliseconds();
        return await UpdateOwnedAsync(jobId, owner, q => q.ExecuteUpdateAsync(u => u.SetProperty(j => j.LeaseExpiresMs, lease), cancellationToken), cancellationToken)
            ? until
            : null;
    }

    /// <summary>
    /// Recorded before the review POST, so any later attempt looks for the posted review first. Only a lease that has
    /// not run out may post, and marking renews it, so the POST starts with a whole lease ahead of it: no successor
    /// can take the job over while a worker is about to post.
    /// </summary>
    public Task<bool> MarkPostAttemptedAsync(long jobId, string owner, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var lease = (now + _queue.Lease).ToUnixTimeMilliseconds();
        return UpdateOwnedAsync(jobId, owner, q => q.Where(j => j.LeaseExpiresMs > nowMs).ExecuteUpdateAsync(u => u
            .SetProperty(j => j.PostAttempted, true)
            .SetProperty(j => j.LeaseExpiresMs, lease), cancellationToken), cancellationToken);
    }

    /// <summary>Remembers the check run the job reports to (<c>Checks/ReviewChecks</c>), so a later attempt updates it instead of creating another.</summary>
    public Task<bool> SetCheckRunAsync(long jobId, string owner, long checkRunId, CancellationToken cancellationToken) =>
        UpdateOwnedAsync(jobId, owner, q => q.ExecuteUpdateAsync(u => u.SetProperty(j => j.CheckRunId, checkRunId), cancellationToken), cancellationToken);

    /// <summary>
    /// Ends the job and every delivery waiting on it with one outcome; false when this worker no longer holds the job.
    /// The job row is updated first: on PostgreSQL that waits for an intake transaction holding the row (see
    /// <see cref="IntakeJobs"/>), and the delivery update that follows, on a fresh snapshot, sees what it linked.
    /// </summary>
    public Task<bool> CompleteAsync(long jobId, string owner, JobStatus status, string? reason, ReviewRecord? review, CancellationToken cancellationToken)
    {
        var delivery = status switch
        {
            JobStatus.Done => DeliveryOutcome.Reviewed,
            JobStatus.Skipped => DeliveryOutcome.Skipped,
            JobStatus.Parked => DeliveryOutcome.Parked,
            _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not a terminal status"),
        };
        return EndAsync(jobId, owner, status, delivery, reason, review, cancellationToken);
    }

    /// <summary>
    /// Ends a command job that did what it was asked: the job is done, and its delivery is settled skipped with what the
    /// command did as the reason (a comment is not a review; a review it asked for is a job of its own, with its outcome).
    /// </summary>
    public Task<bool> CompleteCommandAsync(long jobId, string owner, string reason, CancellationToken cancellationToken) =>
        EndAsync(jobId, owner, JobStatus.Done, DeliveryOutcome.Skipped, reason, null, cancellationToken);

    /// <summary>
    /// A review a person asked for outside intake (a PR comment command), queued under intake's locking rules
    /// (<see cref="IntakeJobs"/>) in a transaction of its own: the job that will review the head, new or already waiting.
    /// </summary>
    public async Task<ReviewJob> RequestReviewAsync(JobKey head, JobRequest request, CancellationToken cancellationToken) =>
        await RequestConflicts.ExecuteAsync(async ct =>
        {
            using var _ = await writeGate.EnterAsync(ct);
            await using var db = await dbs.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var jobs = await IntakeJobs.LockAsync(db, [head], time.GetUtcNow(), ct);
            var job = jobs.QueueReview(head, request);
            await IntakeWrite.WriteAsync(db, jobs, [], ct);
            await tx.CommitAsync(ct);
            return job;
        }, cancellationToken);

    private async Task<bool> EndAsync(long jobId, string owner, JobStatus status, DeliveryOutcome delivery, string? reason, ReviewRecord? review, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var owned = await db.ReviewJobs
            .Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running)
            .ExecuteUpdateAsync(u => u
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.OutcomeReason, reason)
                // LeaseOwner stays: on a finished job it says which instance ran it.
                .SetProperty(j => j.LeaseExpiresMs, (long?)null)
                .SetProperty(j => j.UpdatedAt, now)
                .SetProperty(j => j.CompletedAt, now), cancellationToken);
        if (owned == 0)
        {
            return false;
        }

        if (review is not null)
        {
            db.Reviews.Add(review);
            await db.SaveChangesAsync(cancellationToken);
        }

        await db.Deliveries
            .Where(d => d.JobId == jobId && d.Outcome == DeliveryOutcome.Pending)
            .ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Outcome, delivery)
                .SetProperty(d => d.OutcomeReason, reason)
                .SetProperty(d => d.CompletedAt, now), cancellationToken);
        if (status != JobStatus.Parked)
        {
            // Stored model answers only serve a later attempt of this job; a parked job keeps them for its Retry.
            await db.ModelAnswers.Where(a => a.JobId == jobId).ExecuteDeleteAsync(cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Puts the job back in the queue to run again at <paramref name="runAfter"/>.</summary>
    public Task<bool> RetryLaterAsync(long jobId, string owner, DateTimeOffset runAfter, string error, bool countAttempt, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var at = runAfter.ToUnixTimeMilliseconds();
        var refund = countAttempt ? 0 : 1;
        return UpdateOwnedAsync(jobId, owner, q => q.ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, JobStatus.Queued)
            .SetProperty(j => j.RunAfterMs, at)
            .SetProperty(j => j.LastError, error)
            .SetProperty(j => j.Attempts, j => j.Attempts - refund)
            .SetProperty(j => j.LeaseOwner, (string?)null)
            .SetProperty(j => j.LeaseExpiresMs, (long?)null)
            .SetProperty(j => j.UpdatedAt, now), cancellationToken), cancellationToken);
    }

    /// <summary>
    /// Puts a parked job back in the queue (a person asked to retry it): queued now, attempts reset, lease cleared, and
    /// its parked deliveries pending again. <c>PostAttempted</c> stays, so the next run still looks for a review a
    /// previous attempt may have posted before it posts one. False when the job is not parked (any more).
    /// </summary>
    public async Task<bool> RequeueParkedAsync(long jobId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var requeued = await db.ReviewJobs
            .Where(j => j.Id == jobId && j.Status == JobStatus.Parked)
            .ExecuteUpdateAsync(u => u
                .SetProperty(j => j.Status, JobStatus.Queued)
                .SetProperty(j => j.Attempts, 0)
                .SetProperty(j => j.RunAfterMs, now.ToUnixTimeMilliseconds())
                .SetProperty(j => j.LeaseOwner, (string?)null)
                .SetProperty(j => j.LeaseExpiresMs, (long?)null)
                .SetProperty(j => j.OutcomeReason, (string?)null)
                .SetProperty(j => j.CompletedAt, (DateTime?)null)
                .SetProperty(j => j.UpdatedAt, now.UtcDateTime), cancellationToken);
        if (requeued == 0)
        {
            return false;
        }

        await db.Deliveries
            .Where(d => d.JobId == jobId && d.Outcome == DeliveryOutcome.Parked)
            .ExecuteUpdateAsync(u => u
                .SetProperty(d => d.Outcome, DeliveryOutcome.Pending)
                .SetProperty(d => d.OutcomeReason, (string?)null)
                .SetProperty(d => d.CompletedAt, (DateTime?)null), cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return true;
    }

    /// <summary>Exponential backoff with jitter: base·2^(attempt-1), capped.</summary>
    public DateTimeOffset NextAttemptAt(int attempts)
    {
        var exponent = Math.Min(attempts - 1, 20);
        var delay = TimeSpan.FromTicks(Math.Min(_queue.RetryMax.Ticks, _queue.RetryBase.Ticks * (1L << exponent)));
        var jitter = TimeSpan.FromTicks((long)(delay.Ticks * 0.2 * Random.Shared.NextDouble()));
        return time.GetUtcNow() + delay + jitter;
    }

    private async Task<bool> UpdateOwnedAsync(long jobId, string owner, Func<IQueryable<ReviewJob>, Task<int>> update, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await update(db.ReviewJobs.Where(j => j.Id == jobId && j.LeaseOwner == owner && j.Status == JobStatus.Running));
        return rows > 0;
    }

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
