using System.Data.Common;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Sync;

/// <summary>
/// The one writer of <c>sync_jobs</c>. A job is claimed by taking a lease, as review jobs are (<c>Jobs/JobQueue</c>):
/// a process that dies stops renewing it and another claim takes the job over from its last stored cursor. Every
/// change a runner makes is conditional on still holding the lease, so requeueing a running job (which clears the
/// lease) stops the old run at its next write and the job starts again from the beginning.
/// </summary>
internal sealed class SyncQueue(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IOptions<JobOptions> jobs, TimeProvider time)
{
    /// <summary>Queues the job to run now from the beginning: inserted, or reset whatever state it was in.</summary>
    public async Task EnqueueAsync(string repositoryFullName, string kind, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var nowUtc = now.UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // One statement on both providers (SQLite 3.24+, PostgreSQL 9.5+): no read-then-write race between processes.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO sync_jobs ("RepositoryFullName", "Kind", "Cursor", "Status", "Attempts", "NextAttemptAtMs", "LastError", "LeaseOwner", "LeaseExpiresMs", "UpdatedAt")
            VALUES ({repositoryFullName}, {kind}, NULL, 0, 0, {nowMs}, NULL, NULL, NULL, {nowUtc})
            ON CONFLICT ("RepositoryFullName", "Kind") DO UPDATE SET
                "Cursor" = NULL, "Status" = 0, "Attempts" = 0, "NextAttemptAtMs" = excluded."NextAttemptAtMs",
                "LastError" = NULL, "LeaseOwner" = NULL, "LeaseExpiresMs" = NULL, "UpdatedAt" = excluded."UpdatedAt"
            """, cancellationToken);
    }

    /// <summary>The job of <paramref name="kind"/> for the repository, or null when it was never queued.</summary>
    public async Task<SyncJobRecord?> FindAsync(string repositoryFullName, string kind, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.SyncJobs.AsNoTracking().FirstOrDefaultAsync(j => j.RepositoryFullName == repositoryFullName && j.Kind == kind, cancellationToken);
    }

    /// <summary>Claims the next due job for <paramref name="owner"/> (queued and due, or running on an expired lease); null when none is.</summary>
    public async Task<SyncJobRecord?> ClaimAsync(string owner, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // SKIP LOCKED lets two processes claim different rows at once on PostgreSQL; SQLite has one writer.
        var sql = $"""
            UPDATE sync_jobs SET "Status" = 1, "LeaseOwner" = @owner, "LeaseExpiresMs" = @lease, "Attempts" = "Attempts" + 1, "UpdatedAt" = @nowUtc
            WHERE "Id" = (
                SELECT j."Id" FROM sync_jobs j
                WHERE (j."Status" = 0 AND j."NextAttemptAtMs" <= @now) OR (j."Status" = 1 AND j."LeaseExpiresMs" < @now)
                ORDER BY j."NextAttemptAtMs", j."Id"
                LIMIT 1
                {(db.Database.IsNpgsql() ? "FOR UPDATE SKIP LOCKED" : "")})
            RETURNING "Id"
            """;
        var now = time.GetUtcNow();
        await db.Database.OpenConnectionAsync(cancellationToken);
        long? id;
        await using (var command = db.Database.GetDbConnection().CreateCommand())
        {
            command.CommandText = sql;
            Add(command, "owner", owner);
            Add(command, "now", now.ToUnixTimeMilliseconds());
            Add(command, "lease", (now + jobs.Value.Lease).ToUnixTimeMilliseconds());
            Add(command, "nowUtc", now.UtcDateTime);
            var result = await command.ExecuteScalarAsync(cancellationToken);
            id = result is null or DBNull ? null : Convert.ToInt64(result, CultureInfo.InvariantCulture);
        }

        return id is null ? null : await db.SyncJobs.AsNoTracking().FirstAsync(j => j.Id == id, cancellationToken);
    }

    /// <summary>Extends the lease; returns its new expiry, or null when the lease was lost (the job was requeued or taken over).</summary>
    public async Task<DateTimeOffset?> RenewAsync(long id, string owner, CancellationToken cancellationToken)
    {
        var until = time.GetUtcNow() + jobs.Value.Lease;
        var lease = until.ToUnixTimeMilliseconds();
        return await UpdateOwnedAsync(id, owner, q => q.ExecuteUpdateAsync(u => u.SetProperty(j => j.LeaseExpiresMs, lease), cancellationToken), cancellationToken)
            ? until
            : null;
    }

    /// <summary>
    /// Stores the cursor of a finished step and renews the lease. Progress resets the count of runs without progress to
    /// this one run. False when the lease was lost: the step's work is kept (steps are idempotent), its cursor is not.
    /// </summary>
    public Task<bool> AdvanceAsync(long id, string owner, string cursor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lease = (now + jobs.Value.Lease).ToUnixTimeMilliseconds();
        return UpdateOwnedAsync(id, owner, q => q.ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Cursor, cursor)
            .SetProperty(j => j.Attempts, 1)
            .SetProperty(j => j.LastError, (string?)null)
            .SetProperty(j => j.LeaseExpiresMs, lease)
            .SetProperty(j => j.UpdatedAt, now.UtcDateTime), cancellationToken), cancellationToken);
    }

    /// <summary>The last step returned no cursor: the job is done.</summary>
    public Task<bool> CompleteAsync(long id, string owner, CancellationToken cancellationToken) =>
        EndAsync(id, owner, SyncJobStatus.Done, null, cancellationToken);

    /// <summary>Parks the job with <paramref name="reason"/>; its cursor stays, so the reason can be read where it stopped.</summary>
    public Task<bool> ParkAsync(long id, string owner, string reason, CancellationToken cancellationToken) =>
        EndAsync(id, owner, SyncJobStatus.Failed, reason, cancellationToken);

    /// <summary>
    /// Puts the job back to run at <paramref name="runAfter"/> from its stored cursor. A wait that is no failure (a rate
    /// limit, a shutdown) gives back the attempt the claim took.
    /// </summary>
    public Task<bool> RetryLaterAsync(long id, string owner, DateTimeOffset runAfter, string error, bool countAttempt, CancellationToken cancellationToken)
    {
        var at = runAfter.ToUnixTimeMilliseconds();
        var refund = countAttempt ? 0 : 1;
        var text = Cut(error);
        var now = time.GetUtcNow().UtcDateTime;
        return UpdateOwnedAsync(id, owner, q => q.ExecuteUpdateAsync(u => u
            .SetProperty(j => j.Status, SyncJobStatus.Queued)
            .SetProperty(j => j.NextAttemptAtMs, at)
            .SetProperty(j => j.LastError, text)
            .SetProperty(j => j.Attempts, j => j.Attempts - refund)
            .SetProperty(j => j.LeaseOwner, (string?)null)
            .SetProperty(j => j.LeaseExpiresMs, (long?)null)
            .SetProperty(j => j.UpdatedAt, now), cancellationToken), cancellationToken);
    }

    private Task<bool> EndAsync(long id, string owner, SyncJobStatus status, string? reason, CancellationToken cancellationToken)
    {
        var text = reason is null ? null : Cut(reason);
        var now = time.GetUtcNow().UtcDateTime;
        return UpdateOwnedAsync(id, owner, q => q.ExecuteUpdateAsync(u =>
        {
            u.SetProperty(j => j.Status, status)
                .SetProperty(j => j.LastError, text)
                .SetProperty(j => j.LeaseExpiresMs, (long?)null)
                .SetProperty(j => j.UpdatedAt, now);
            if (status == SyncJobStatus.Done)
            {
                u.SetProperty(j => j.Cursor, (string?)null);
            }
        }, cancellationToken), cancellationToken);
    }

    private async Task<bool> UpdateOwnedAsync(long id, string owner, Func<IQueryable<SyncJobRecord>, Task<int>> update, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await update(db.SyncJobs.Where(j => j.Id == id && j.LeaseOwner == owner && j.Status == SyncJobStatus.Running)) > 0;
    }

    private static string Cut(string text) => text.Length <= SyncJobModel.MaxErrorLength ? text : text[..SyncJobModel.MaxErrorLength];

    private static void Add(DbCommand command, string name, object value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = "@" + name;
        parameter.Value = value;
        command.Parameters.Add(parameter);
    }
}
