using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Memory;

namespace Nectr.Memory;

/// <summary>How a user stands to a repository's memory: not visible (or no such repository), visible but not connected, or connected.</summary>
internal enum MemoryAccess { NotFound, NotConnected, Connected }

/// <summary>
/// What one extraction changed: new memories, near-duplicates it updated (an identical one counts as updated,
/// unchanged), its own older memories it deleted to stay within MEMORY_MAX_PER_REPOSITORY, and proposals it could not
/// keep because every memory at the limit was a person's or the project scan's.
/// </summary>
internal sealed record ExtractionSave(int Stored, int Updated, int Evicted = 0, int NoRoom = 0);

// What Nectr itself writes and reads, outside any user's request: memories extracted after a review (with the
// extraction's record), the project map of a scan, and a repository's memories for a review's prompt. Callers have
// already scoped the repository (a review of it is running, or the caller passed MemoryAccess.Connected).
internal sealed partial class MemoryStore
{
    /// <summary>The repository's memories for retrieval: the most recently updated <paramref name="max"/>, read on the (repository, updated) index.</summary>
    public async Task<IReadOnlyList<StoredMemory>> ForRepositoryAsync(string repo, int max, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.Memories.AsNoTracking()
            .Where(m => m.RepositoryFullName == repo)
            .OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id)
            .Take(max)
            .Select(m => new StoredMemory(m.Id, m.Type, m.Content, m.Developer, m.UpdatedAt))
            .ToListAsync(cancellationToken);
        return rows;
    }

    /// <summary>Whether Nectr is connected to the repository (named as stored): memories are kept only for those.</summary>
    public async Task<bool> IsConnectedAsync(string repo, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Repositories.AsNoTracking().AnyAsync(r => r.FullName == repo && r.Connected, cancellationToken);
    }

    /// <summary>Whether the user sees <paramref name="repo"/> and Nectr is connected to it, and its name as GitHub spells it.</summary>
    public async Task<(MemoryAccess Access, string FullName)> AccessAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await VisibleAsync(db, userId, repo, cancellationToken) is not { } access)
        {
            return (MemoryAccess.NotFound, repo);
        }

        var connected = await db.Repositories.AsNoTracking().AnyAsync(r => r.GitHubId == access.GitHubId && r.Connected, cancellationToken);
        return (connected ? MemoryAccess.Connected : MemoryAccess.NotConnected, access.FullName);
    }

    /// <summary>
    /// Stores the proposals of one extraction and its <paramref name="record"/> in one transaction. Each proposal that
    /// repeats a memory of the same type and developer (<see cref="MemorySimilarity.IsNearDuplicate"/>) updates it;
    /// proposals are saved one by one, so the same proposal twice in one answer is stored once. A new one in a repository
    /// at <see cref="Configuration.MemoryOptions.MaxPerRepository"/> takes the place of the least recently updated memory extraction
    /// wrote; when there is none, it is not kept (counted with the record's dropped proposals). Null when Nectr is not
    /// connected to the repository (nothing is stored, the record included).
    /// </summary>
    public async Task<ExtractionSave?> SaveExtractedAsync(
        string repo, int pullNumber, IReadOnlyList<MemoryProposal> proposals, MemoryExtractionRecord record, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockConnectedAsync(db, repo, cancellationToken) is not { } repository)
        {
            return null;
        }

        var now = time.GetUtcNow().UtcDateTime;
        int stored = 0, updated = 0, evicted = 0, noRoom = 0;
        foreach (var proposal in proposals)
        {
            var draft = new MemoryDraft(repository.FullName, proposal.Type, proposal.Content, proposal.Developer);
            if (await FindNearDuplicateAsync(db, repository.FullName, draft, cancellationToken) is { } twin)
            {
                twin.Content = proposal.Content;
                twin.UpdatedAt = now;
                updated++;
            }
            else
            {
                var full = await CountAsync(db, repository.FullName, cancellationToken) >= MaxPerRepository;
                if (full && !await EvictOldestExtractedAsync(db, repository.FullName, cancellationToken))
                {
                    noRoom++;
                }
                else
                {
                    evicted += full ? 1 : 0;
                    db.Memories.Add(new MemoryRecord
                    {
                        RepositoryFullName = repository.FullName, RepositoryGitHubId = repository.GitHubId ?? 0, Type = proposal.Type, Content = proposal.Content,
                        Developer = proposal.Developer, SourcePullNumber = pullNumber, CreatedAt = now, UpdatedAt = now, Source = MemorySources.Extraction,
                    });
                    stored++;
                }
            }

            // Saved now, so the next proposal's near-duplicate lookup sees this one.
            await db.SaveChangesAsync(cancellationToken);
        }

        record.Stored = stored;
        record.Updated = updated;
        record.Dropped += noRoom;
        db.MemoryExtractions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.Extracted(logger, repository.FullName, pullNumber, record.JobId, stored, updated);
        if (evicted > 0 || noRoom > 0)
        {
            Log.AtLimit(logger, repository.FullName, pullNumber, MaxPerRepository, evicted, noRoom);
        }

        return new ExtractionSave(stored, updated, evicted, noRoom);
    }

    /// <summary>Marks for deletion (saved with the new memory) the least recently updated memory extraction wrote; false when there is none.</summary>
    private static async Task<bool> EvictOldestExtractedAsync(NectrDb db, string repository, CancellationToken cancellationToken)
    {
        var oldest = await db.Memories
            .Where(m => m.RepositoryFullName == repository && m.Source == MemorySources.Extraction)
            .OrderBy(m => m.UpdatedAt).ThenBy(m => m.Id)
            .FirstOrDefaultAsync(cancellationToken);
        if (oldest is null)
        {
            return false;
        }

        db.Memories.Remove(oldest);
        return true;
    }

    /// <summary>Records an extraction that stored nothing (the model failed, timed out, or proposed nothing usable).</summary>
    public async Task RecordExtractionAsync(MemoryExtractionRecord record, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        db.MemoryExtractions.Add(record);
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Replaces the project map the scan wrote before with <paramref name="entries"/>, in one transaction: a rescan never
    /// appends copies. Project map entries a person wrote stay. Null when Nectr is not connected to the repository.
    /// </summary>
    public async Task<IReadOnlyList<MemoryView>?> ReplaceProjectMapAsync(string repo, IReadOnlyList<string> entries, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockConnectedAsync(db, repo, cancellationToken) is not { } repository)
        {
            return null;
        }

        var removed = await db.Memories
            .Where(m => m.RepositoryFullName == repository.FullName && m.Type == MemoryTypes.ProjectMap && m.Source == MemorySources.ProjectScan)
            .ExecuteDeleteAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var rows = entries.Select(content => new MemoryRecord
        {
            RepositoryFullName = repository.FullName, RepositoryGitHubId = repository.GitHubId ?? 0, Type = MemoryTypes.ProjectMap, Content = content,
            CreatedAt = now, UpdatedAt = now, Source = MemorySources.ProjectScan,
        }).ToList();
        db.Memories.AddRange(rows);
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.MapReplaced(logger, repository.FullName, rows.Count, removed);
        var ids = rows.Select(r => r.Id).ToList();
        var views = await Views(db, db.Memories.AsNoTracking().Where(m => ids.Contains(m.Id)).OrderBy(m => m.Id)).ToListAsync(cancellationToken);
        return views.Select(Utc).ToList();
    }

    /// <summary>The connected repository named exactly <paramref name="repo"/> (as stored: GitHub's spelling), locked for the transaction on PostgreSQL; or null.</summary>
    private static async Task<RepositoryRecord?> LockConnectedAsync(NectrDb db, string repo, CancellationToken cancellationToken)
    {
        var rows = db.Database.IsNpgsql()
            ? await db.Repositories.FromSql($"""SELECT * FROM repositories WHERE "FullName" = {repo} FOR UPDATE""").AsNoTracking().ToListAsync(cancellationToken)
            : await db.Repositories.AsNoTracking().Where(r => r.FullName == repo).ToListAsync(cancellationToken);
        return rows.FirstOrDefault(r => r.Connected);
    }

    private static partial class Log
    {
        [LoggerMessage(4, LogLevel.Information, "{Repository}#{Number} (job {JobId}): extraction stored {Stored} new memory(ies) and updated {Updated}")]
        public static partial void Extracted(ILogger logger, string repository, int number, long jobId, int stored, int updated);

        [LoggerMessage(5, LogLevel.Information, "{Repository}: project map replaced: {Stored} entry(ies) stored, {Removed} old one(s) removed")]
        public static partial void MapReplaced(ILogger logger, string repository, int stored, int removed);

        [LoggerMessage(7, LogLevel.Information, "{Repository}#{Number}: memory is at MEMORY_MAX_PER_REPOSITORY ({Max}): extraction deleted {Evicted} of its own oldest memory(ies) to make room, and dropped {NoRoom} proposal(s) it had no room for (every memory left is a person's or the project scan's)")]
        public static partial void AtLimit(ILogger logger, string repository, int number, int max, int evicted, int noRoom);
    }
}
