using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Events;

namespace Nectr.Reviews;

/// <summary>
/// Stored webhook deliveries and their jobs. Deliveries that name no repository (an organisation or app-level ping,
/// say) are visible to nobody: no access row can vouch for them, and they carry nothing a user needs to act on.
/// </summary>
/// <remarks>
/// "Parked" means one thing: the delivery's own outcome is <see cref="DeliveryOutcome.Parked"/>, which the job queue
/// writes on every delivery that waited for a job when that job gave up after its last attempt. A later delivery for
/// the same head is settled as skipped ("already handled by job N (parked)") and stays skipped; it still offers the
/// retry (<see cref="EventView.Retryable"/>: its job is parked). The dashboard once also counted such deliveries as
/// parked while the API said skipped.
/// </remarks>
internal sealed partial class ReviewReadModel
{
    public async Task<PageOf<EventView>> ActivityAsync(long userId, EventFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = VisibleDeliveries(db, userId);
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

    /// <summary>The delivery, or null when it does not exist or the user may not see it (both answers look the same).</summary>
    public async Task<EventView?> DeliveryAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await Project(db, VisibleDeliveries(db, userId).Where(d => d.Id == id)).FirstOrDefaultAsync(cancellationToken);
        return row is null ? null : ToView(row);
    }

    private static IQueryable<DeliveryRecord> VisibleDeliveries(NectrDb db, long userId) =>
        db.Deliveries.AsNoTracking().Where(d => d.RepositoryFullName != null && db.VisibleTo(userId).Contains(d.RepositoryFullName));

    private static IQueryable<DeliveryRow> Project(NectrDb db, IQueryable<DeliveryRecord> deliveries) => deliveries.Select(d => new DeliveryRow(
        d.Id, d.DeliveryId, d.Event, d.Action, d.RepositoryFullName, d.PullNumber, d.HeadSha, d.ReceivedAt, d.Outcome, d.OutcomeReason, d.CompletedAt,
        d.Job == null ? null : new JobRow(d.Job.Id, d.Job.Status, d.Job.Attempts, d.Job.LastError, d.Job.OutcomeReason, d.Job.CreatedAt, d.Job.UpdatedAt, d.Job.CompletedAt,
            db.Reviews.Where(r => r.JobId == d.Job.Id).Select(r => (long?)r.Id).FirstOrDefault())));

    private static EventView ToView(DeliveryRow row) => new(
        row.Id, row.DeliveryId, row.Event, row.Action, row.Repository, row.PullNumber, row.HeadSha, AsUtc(row.ReceivedAt),
        row.Outcome.ToString().ToLowerInvariant(), row.OutcomeReason, row.CompletedAt is { } completed ? AsUtc(completed) : null,
        row.Job is { } job
            ? new EventJobView(job.Id, job.Status.ToString().ToLowerInvariant(), job.Attempts, job.LastError, job.OutcomeReason,
                AsUtc(job.CreatedAt), AsUtc(job.UpdatedAt), job.CompletedAt is { } done ? AsUtc(done) : null, job.ReviewId)
            : null,
        row.Job?.Status == JobStatus.Parked);

    private sealed record DeliveryRow(
        long Id, string DeliveryId, string Event, string? Action, string? Repository, int? PullNumber, string? HeadSha, DateTime ReceivedAt,
        DeliveryOutcome Outcome, string? OutcomeReason, DateTime? CompletedAt, JobRow? Job);

    private sealed record JobRow(
        long Id, JobStatus Status, int Attempts, string? LastError, string? OutcomeReason, DateTime CreatedAt, DateTime UpdatedAt, DateTime? CompletedAt, long? ReviewId);
}
