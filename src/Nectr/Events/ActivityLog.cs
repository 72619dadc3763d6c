using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Jobs;

namespace Nectr.Events;

/// <summary>
/// Stored webhook deliveries and their jobs, for the API and the dashboard alike, scoped like every read
/// (<see cref="RepositoryScope"/>). Deliveries that name no repository (an organisation or app-level ping, say) are
/// visible to nobody: no access row can vouch for them, and they carry nothing a user needs to act on.
/// </summary>
internal sealed partial class ActivityLog(
    IDbContextFactory<NectrDb> dbs, JobQueue queue, JobSignal signal, ILogger<ActivityLog> logger)
{
    public async Task<PageOf<EventView>> ListAsync(long userId, EventFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Visible(db, userId);
        if (!string.IsNullOrEmpty(filter.Repo))
        {
            query = query.Where(d => d.RepositoryFullName == filter.Repo);
        }

        if (filter.Outcome is { } outcome)
        {
            query = query.Where(d => d.Outcome == outcome);
        }

        if (!string.IsNullOrEmpty(filter.Event))
        {
            query = query.Where(d => d.Event == filter.Event);
        }

        var total = await query.CountAsync(cancellationToken);
        var rows = await Project(db, query.OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.Id)
            .Skip(filter.Page.Skip).Take(filter.Page.PerPage)).ToListAsync(cancellationToken);
        return new PageOf<EventView>(rows.Select(ToView).ToList(), filter.Page.Page, filter.Page.PerPage, total);
    }

    /// <summary>The delivery, or null when it does not exist or the user may not see it (the API answers both with 404).</summary>
    public async Task<EventView?> GetAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await Project(db, Visible(db, userId).Where(d => d.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToView(row);
    }

    /// <summary>
    /// Puts the parked job of a delivery the user can see back in the queue (<see cref="JobQueue.RequeueParkedAsync"/>,
    /// which owns the transition); NotParked when it is not parked, including when another request retried it first.
    /// </summary>
    public async Task<RetryResult> RetryAsync(long userId, long deliveryId, CancellationToken cancellationToken)
    {
        long? jobId;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            var target = await Visible(db, userId).Where(d => d.Id == deliveryId).Select(d => new { d.JobId }).FirstOrDefaultAsync(cancellationToken);
            if (target is null)
            {
                return RetryResult.NotFound;
            }

            jobId = target.JobId;
        }

        if (jobId is not { } id || !await queue.RequeueParkedAsync(id, cancellationToken))
        {
            return RetryResult.NotParked;
        }

        Log.Requeued(logger, deliveryId, id, userId);
        signal.Notify();
        return RetryResult.Requeued;
    }

    private static IQueryable<DeliveryRecord> Visible(NectrDb db, long userId) =>
        db.Deliveries.AsNoTracking().Where(d => d.RepositoryFullName != null && db.VisibleTo(userId).Contains(d.RepositoryFullName));

    private static IQueryable<Row> Project(NectrDb db, IQueryable<DeliveryRecord> deliveries) => deliveries.Select(d => new Row(
        d.Id, d.DeliveryId, d.Event, d.Action, d.RepositoryFullName, d.PullNumber, d.HeadSha, d.ReceivedAt, d.Outcome, d.OutcomeReason, d.CompletedAt,
        d.Job == null ? null : new JobRow(d.Job.Id, d.Job.Status, d.Job.Attempts, d.Job.LastError, d.Job.OutcomeReason, d.Job.CreatedAt, d.Job.UpdatedAt, d.Job.CompletedAt,
            db.Reviews.Where(r => r.JobId == d.Job.Id).Select(r => (long?)r.Id).FirstOrDefault())));

    private static EventView ToView(Row row) => new(
        row.Id, row.DeliveryId, row.Event, row.Action, row.Repository, row.PullNumber, row.HeadSha, Utc(row.ReceivedAt),
        row.Outcome.ToString().ToLowerInvariant(), row.OutcomeReason, row.CompletedAt is { } completed ? Utc(completed) : null,
        row.Job is { } job
            ? new EventJobView(job.Id, job.Status.ToString().ToLowerInvariant(), job.Attempts, job.LastError, job.OutcomeReason,
                Utc(job.CreatedAt), Utc(job.UpdatedAt), job.CompletedAt is { } done ? Utc(done) : null, job.ReviewId)
            : null,
        row.Job?.Status == JobStatus.Parked);

    private static DateTime Utc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);

    private sealed record Row(
        long Id, string DeliveryId, string Event, string? Action, string? Repository, int? PullNumber, string? HeadSha, DateTime ReceivedAt,
        DeliveryOutcome Outcome, string? OutcomeReason, DateTime? CompletedAt, JobRow? Job);

    private sealed record JobRow(
        long Id, JobStatus Status, int Attempts, string? LastError, string? OutcomeReason, DateTime CreatedAt, DateTime UpdatedAt, DateTime? CompletedAt, long? ReviewId);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Delivery {DeliveryId}: parked job {JobId} re-queued by user {UserId}")]
        public static partial void Requeued(ILogger logger, long deliveryId, long jobId, long userId);
    }
}
