using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Issues;

/// <summary>
/// The one writer of the issue index (<c>issues</c>): every <c>issues</c> delivery, inside intake's transaction, and
/// the pages of the open-issue backfill. Every write is an idempotent upsert keyed (repository, number) that an older
/// <c>updated_at</c> cannot win, so redeliveries, late deliveries and a backfill racing a webhook all end with the
/// newest facts. An issue deleted or transferred away is removed.
/// </summary>
internal sealed partial class IssueStore(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, ILogger<IssueStore> logger)
{
    private const string SavepointName = "issue_index";

    /// <summary>
    /// Writes the issues of a batch of deliveries inside the caller's open transaction, under a savepoint: when it
    /// fails, only the index write is undone (and logged) and the deliveries are still stored and answered.
    /// </summary>
    public async Task RecordInTransactionAsync(NectrDb db, IEnumerable<IssueFacts> facts, CancellationToken cancellationToken)
    {
        var newest = Newest(facts);
        if (newest.Count == 0)
        {
            return;
        }

        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("The issue index writes deliveries inside intake's transaction.");
        await tx.CreateSavepointAsync(SavepointName, cancellationToken);
        try
        {
            foreach (var issue in newest)
            {
                await WriteAsync(db, issue, cancellationToken);
            }

            await tx.ReleaseSavepointAsync(SavepointName, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await tx.RollbackToSavepointAsync(SavepointName, cancellationToken);
            Log.DeliveriesNotIndexed(logger, ex, newest.Count);
        }
    }

    /// <summary>Writes one page of the backfill in its own transaction; a failure propagates so the step runs again.</summary>
    public async Task RecordAsync(IEnumerable<IssueFacts> facts, CancellationToken cancellationToken)
    {
        var newest = Newest(facts);
        if (newest.Count == 0)
        {
            return;
        }

        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        foreach (var issue in newest)
        {
            await WriteAsync(db, issue, cancellationToken);
        }

        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// One write per issue (the newest facts given), in key order: two processes writing the same issues lock their
    /// rows in the same order and cannot deadlock.
    /// </summary>
    private static List<IssueFacts> Newest(IEnumerable<IssueFacts> facts) => facts
        .GroupBy(f => (f.Repository, f.Number))
        .Select(g => g.MaxBy(f => (f.UpdatedAt, f.Removed))!)
        .OrderBy(f => f.Repository, StringComparer.Ordinal).ThenBy(f => f.Number)
        .ToList();

    /// <summary>The same SQL on SQLite (3.24+) and PostgreSQL.</summary>
    private static Task<int> WriteAsync(NectrDb db, IssueFacts issue, CancellationToken cancellationToken)
    {
        if (issue.Removed)
        {
            return db.Issues.Where(i => i.RepositoryFullName == issue.Repository && i.Number == issue.Number).ExecuteDeleteAsync(cancellationToken);
        }

        var updatedAtMs = issue.UpdatedAt.ToUnixTimeMilliseconds();
        return db.Database.ExecuteSqlAsync($"""
            INSERT INTO issues ("RepositoryFullName", "Number", "Title", "Body", "State", "Labels", "AuthorLogin", "UpdatedAtMs")
            VALUES ({issue.Repository}, {issue.Number}, {issue.Title}, {issue.Body}, {issue.State}, {issue.Labels}, {issue.AuthorLogin}, {updatedAtMs})
            ON CONFLICT ("RepositoryFullName", "Number") DO UPDATE SET
                "Title" = excluded."Title",
                "Body" = excluded."Body",
                "State" = excluded."State",
                "Labels" = excluded."Labels",
                "AuthorLogin" = excluded."AuthorLogin",
                "UpdatedAtMs" = excluded."UpdatedAtMs"
            WHERE excluded."UpdatedAtMs" >= issues."UpdatedAtMs"
            """, cancellationToken);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not write {Count} issue(s) of a webhook batch to the issue index; the deliveries are stored, the index catches up on the next delivery of each issue")]
        public static partial void DeliveriesNotIndexed(ILogger logger, Exception exception, int count);
    }
}
