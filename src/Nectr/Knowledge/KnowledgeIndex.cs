using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Knowledge;

/// <summary>
/// The one writer of the knowledge index (<c>pull_requests</c>, <c>pull_request_files</c>). Every write is an
/// idempotent upsert keyed (repository, number) that an older <c>updated_at</c> cannot win, so redeliveries, late
/// deliveries and several processes writing the same pull request all end with the newest facts. The index is
/// context for reviews, never a reason for one to fail: a failed write is logged and the caller goes on.
/// </summary>
internal sealed partial class KnowledgeIndex(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, ILogger<KnowledgeIndex> logger)
{
    /// <summary>
    /// Writes the facts of a batch of deliveries inside the caller's open transaction (intake's group commit, so no
    /// extra commit per delivery). It runs under a savepoint: when it fails, only the index write is undone and the
    /// deliveries are still stored and answered.
    /// </summary>
    public async Task RecordInTransactionAsync(NectrDb db, IEnumerable<PullRequestFacts> facts, CancellationToken cancellationToken)
    {
        // One write per pull request (the newest facts of the batch), in key order: two processes upserting the same
        // pull requests lock their rows in the same order and cannot deadlock.
        var newest = facts
            .GroupBy(f => (f.Repository, f.Number))
            .Select(g => g.MaxBy(f => f.UpdatedAt)!)
            .OrderBy(f => f.Repository, StringComparer.Ordinal).ThenBy(f => f.Number)
            .ToList();
        if (newest.Count == 0)
        {
            return;
        }

        var tx = db.Database.CurrentTransaction ?? throw new InvalidOperationException("The knowledge index writes deliveries inside intake's transaction.");
        // The savepoint, the upserts and its release go as one command: one round trip instead of three on PostgreSQL,
        // where each costs the single intake writer a wait. A failed upsert stops the command after the savepoint.
        var sql = new System.Text.StringBuilder($"SAVEPOINT {SavepointName};\n");
        var values = new List<object?>(newest.Count * 9);
        foreach (var pr in newest)
        {
            AppendUpsert(sql, values, pr);
        }

        sql.Append($"RELEASE SAVEPOINT {SavepointName};");
        try
        {
            await db.Database.ExecuteSqlRawAsync(sql.ToString(), values!, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await tx.RollbackToSavepointAsync(SavepointName, cancellationToken);
            Log.DeliveriesNotIndexed(logger, ex, newest.Count);
        }
    }

    /// <summary>
    /// Records a pull request Nectr reviewed: its facts as the review's GET saw them, the verdict posted, and the files
    /// GitHub listed (replacing the files of an earlier review). True when written; false when it failed and was logged.
    /// </summary>
    public async Task<bool> RecordReviewAsync(PullRequestFacts facts, IEnumerable<string> paths, string verdict, CancellationToken cancellationToken)
    {
        try
        {
            await WriteAsync(facts, paths, verdict, cancellationToken);
            return true;
        }
        catch (Exception ex)
        {
            // Cancellation included: the review is posted either way, and the next review of the PR records it again.
            Log.ReviewNotIndexed(logger, ex, facts.Repository, facts.Number);
            return false;
        }
    }

    /// <summary>
    /// Records a pull request the knowledge backfill read from GitHub: its facts and files (replacing those stored),
    /// leaving the verdict of any review Nectr made of it as it is. Idempotent; a failure throws, so the backfill step
    /// runs again.
    /// </summary>
    public Task RecordPullRequestAsync(PullRequestFacts facts, IEnumerable<string> paths, CancellationToken cancellationToken) =>
        WriteAsync(facts, paths, verdict: null, cancellationToken);

    private async Task WriteAsync(PullRequestFacts facts, IEnumerable<string> paths, string? verdict, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await UpsertAsync(db, facts, cancellationToken);
        var id = await db.PullRequests
            .Where(p => p.RepositoryFullName == facts.Repository && p.Number == facts.Number)
            .Select(p => p.Id)
            .SingleAsync(cancellationToken);
        if (verdict is not null)
        {
            await db.PullRequests.Where(p => p.Id == id).ExecuteUpdateAsync(u => u.SetProperty(p => p.LastVerdict, verdict), cancellationToken);
        }

        await db.PullRequestFiles.Where(f => f.PullRequestId == id).ExecuteDeleteAsync(cancellationToken);
        db.PullRequestFiles.AddRange(paths
            // A path longer than the index can hold is left out rather than failing the whole record.
            .Where(p => p.Length is > 0 and <= KnowledgeModel.MaxPathLength)
            .Distinct(StringComparer.Ordinal)
            .Select(p => new PullRequestFileRecord { PullRequestId = id, RepositoryFullName = facts.Repository, Path = p }));
        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    private const string SavepointName = "knowledge_index";

    /// <summary>
    /// Inserts the pull request, or updates it when these facts are at least as new as the stored ones. The same SQL
    /// on SQLite (3.24+) and PostgreSQL; the verdict is not touched here (deliveries do not know it).
    /// </summary>
    private static Task<int> UpsertAsync(NectrDb db, PullRequestFacts pr, CancellationToken cancellationToken)
    {
        var sql = new System.Text.StringBuilder();
        var values = new List<object?>(9);
        AppendUpsert(sql, values, pr);
        return db.Database.ExecuteSqlRawAsync(sql.ToString(), values!, cancellationToken);
    }

    /// <summary>The upsert of one pull request, its values appended to <paramref name="values"/> as <c>{n}</c> placeholders.</summary>
    private static void AppendUpsert(System.Text.StringBuilder sql, List<object?> values, PullRequestFacts pr)
    {
        // Webhook text is untrusted: one NUL (PostgreSQL refuses it in text) or an over-long login would fail the whole
        // batch's index writes, so the text is made storable here. A login that is not one is dropped, not cut.
        var title = pr.Title.Replace("\0", "", StringComparison.Ordinal);
        title = title.Length > KnowledgeModel.MaxTitleLength ? title[..KnowledgeModel.MaxTitleLength] : title;
        var login = pr.AuthorLogin.Length <= KnowledgeModel.MaxLoginLength && !pr.AuthorLogin.Contains('\0', StringComparison.Ordinal) ? pr.AuthorLogin : "";
        var first = values.Count;
        values.AddRange([pr.Repository, pr.Number, title, login, pr.AuthorIsBot, pr.State, pr.MergedAt?.UtcDateTime, pr.HeadSha, pr.UpdatedAt.ToUnixTimeMilliseconds()]);
        var p = Enumerable.Range(first, 9).Select(i => "{" + i.ToString(System.Globalization.CultureInfo.InvariantCulture) + "}").ToArray();
        sql.Append($"""
            INSERT INTO pull_requests ("RepositoryFullName", "Number", "Title", "AuthorLogin", "AuthorIsBot", "State", "MergedAt", "HeadSha", "UpdatedAtMs")
            VALUES ({string.Join(", ", p)})
            ON CONFLICT ("RepositoryFullName", "Number") DO UPDATE SET
                "Title" = excluded."Title",
                "AuthorLogin" = excluded."AuthorLogin",
                "AuthorIsBot" = excluded."AuthorIsBot",
                "State" = excluded."State",
                "MergedAt" = excluded."MergedAt",
                "HeadSha" = excluded."HeadSha",
                "UpdatedAtMs" = excluded."UpdatedAtMs"
            WHERE excluded."UpdatedAtMs" >= pull_requests."UpdatedAtMs";

            """);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not write {Count} pull request(s) of a webhook batch to the knowledge index; the deliveries are stored, the index catches up on the next delivery or review")]
        public static partial void DeliveriesNotIndexed(ILogger logger, Exception exception, int count);

        [LoggerMessage(2, LogLevel.Warning, "Could not record the review of {Repository}#{Number} in the knowledge index; the review is posted, the next review records it")]
        public static partial void ReviewNotIndexed(ILogger logger, Exception exception, string repository, int number);
    }
}
