using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Jobs;

/// <summary>
/// Writes what <see cref="IntakeJobs"/> decided, in the caller's transaction and without the change tracker: the
/// stored jobs it superseded (with the deliveries still waiting on them), the jobs it queued under the ids it reserved,
/// then the new deliveries linked to them. On PostgreSQL all of it is one command, so one round trip; on SQLite the
/// rows go through <see cref="EntityRows"/>' one prepared statement per row. A delivery id or job another process
/// stored meanwhile makes the write throw, and intake stores the batch again item by item
/// (<see cref="Webhooks.WebhookIntake"/>).
/// </summary>
internal static class IntakeWrite
{
    private const string JobKeyColumns = "\"RepositoryFullName\", \"PullNumber\", \"HeadSha\", \"Rerun\"";

    public static async Task WriteAsync(NectrDb db, IntakeJobs jobs, IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        var postgres = db.Database.IsNpgsql();
        var superseded = 0;
        await using (var script = new SqlScript(db))
        {
            AppendSupersedes(script, db, jobs);
            if (postgres)
            {
                EntityRows.AppendInsert(script, db, jobs.NewJobs, withKey: true);
                EntityRows.AppendInsert(script, db, deliveries, withKey: false);
            }

            if (!script.IsEmpty)
            {
                await using var reader = await script.ExecuteReaderAsync(cancellationToken);
                do
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        superseded++;
                    }
                }
                while (await reader.NextResultAsync(cancellationToken));
            }
        }

        if (superseded != jobs.Superseded.Count)
        {
            // Only possible if the rows were not locked after all; intake stores the batch again from fresh reads.
            throw new DbUpdateConcurrencyException($"{jobs.Superseded.Count - superseded} superseded job(s) left the queue while intake was superseding them.");
        }

        if (!postgres)
        {
            await InsertSqliteAsync(db, jobs.NewJobs, deliveries, cancellationToken);
        }
    }

    /// <summary>Queued → Skipped for each stored job superseded (returning its id, so a job that was not queued is noticed), and its waiting deliveries with it.</summary>
    private static void AppendSupersedes(SqlScript script, NectrDb db, IntakeJobs jobs)
    {
        if (jobs.Superseded.Count == 0)
        {
            return;
        }

        var time = db.Model.FindEntityType(typeof(ReviewJob))!.FindProperty(nameof(ReviewJob.CompletedAt))!.GetRelationalTypeMapping();
        var now = jobs.Now.UtcDateTime;
        foreach (var (id, reason) in jobs.Superseded)
        {
            script.Sql($"UPDATE review_jobs SET \"Status\" = {(int)JobStatus.Skipped}, \"OutcomeReason\" = ").Value(reason)
                .Sql(", \"UpdatedAt\" = ").Value(time, now, false).Sql(", \"CompletedAt\" = ").Value(time, now, true)
                .Sql(" WHERE \"Id\" = ").Value(id).Sql($" AND \"Status\" = {(int)JobStatus.Queued} RETURNING \"Id\";\n");
            script.Sql($"UPDATE deliveries SET \"Outcome\" = {(int)DeliveryOutcome.Skipped}, \"OutcomeReason\" = ").Value(reason)
                .Sql(", \"CompletedAt\" = ").Value(time, now, true)
                .Sql(" WHERE \"JobId\" = ").Value(id).Sql($" AND \"Outcome\" = {(int)DeliveryOutcome.Pending};\n");
        }
    }

    private static async Task InsertSqliteAsync(NectrDb db, IReadOnlyList<ReviewJob> jobs, IReadOnlyList<DeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        var jobIds = await EntityRows.InsertEachAsync<ReviewJob, long>(db, jobs, withKey: true, JobKeyColumns, "\"Id\"", static r => r.GetInt64(0), cancellationToken);
        if (jobIds.Count != jobs.Count)
        {
            throw new DbUpdateException($"{jobs.Count - jobIds.Count} of {jobs.Count} new job(s) were stored by another process meanwhile.");
        }

        var written = await EntityRows.InsertEachAsync<DeliveryRecord, string>(db, deliveries, withKey: false, "\"DeliveryId\"", "\"DeliveryId\"", static r => r.GetString(0), cancellationToken);
        if (written.Count != deliveries.Count)
        {
            throw new DbUpdateException($"{deliveries.Count - written.Count} of {deliveries.Count} delivery id(s) were stored by another process meanwhile.");
        }
    }
}
