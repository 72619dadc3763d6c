using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Memory;
using Nectr.Reviews;

namespace Nectr.Memory;

/// <summary>
/// The one owner of the <c>memories</c> table. Every read and change is scoped like reviews and events
/// (<see cref="RepositoryScope.VisibleTo"/>): a memory of a repository the user cannot see does not exist for them.
/// New memories are only for connected repositories, and a new memory that repeats an existing one of the same type and
/// developer (<see cref="MemorySimilarity.IsNearDuplicate"/>) updates that one instead of adding a copy. A repository
/// keeps at most <see cref="MemoryOptions.MaxPerRepository"/> memories.
/// </summary>
internal sealed partial class MemoryStore(
    IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, TimeProvider time, IOptions<MemoryOptions> options, ILogger<MemoryStore> logger)
{
    private int MaxPerRepository => options.Value.MaxPerRepository;

    /// <summary>The memories of the repository, most recently updated first; null when the user cannot see the repository.</summary>
    public async Task<PageOf<MemoryView>?> ListAsync(long userId, string repo, string? type, PageRequest page, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await VisibleAsync(db, userId, repo, cancellationToken) is not { } access)
        {
            return null;
        }

        var query = db.Memories.AsNoTracking().Where(m => m.RepositoryFullName == access.FullName);
        if (type is not null)
        {
            query = query.Where(m => m.Type == type);
        }

        var total = await query.CountAsync(cancellationToken);
        var items = await Views(db, query.OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id).Skip(page.Skip).Take(page.PerPage))
            .ToListAsync(cancellationToken);
        return new PageOf<MemoryView>(items.Select(Utc).ToList(), page.Page, page.PerPage, total);
    }

    /// <summary>Counts per type (every type, zeros included); null when the user cannot see the repository.</summary>
    public async Task<MemoryStats?> StatsAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await VisibleAsync(db, userId, repo, cancellationToken) is not { } access)
        {
            return null;
        }

        var counts = await db.Memories.Where(m => m.RepositoryFullName == access.FullName)
            .GroupBy(m => m.Type)
            .Select(g => new { Type = g.Key, Count = g.Count() })
            .ToDictionaryAsync(c => c.Type, c => c.Count, StringComparer.Ordinal, cancellationToken);
        var byType = MemoryTypes.All.ToDictionary(t => t, t => counts.GetValueOrDefault(t), StringComparer.Ordinal);
        return new MemoryStats(access.FullName, byType.Values.Sum(), byType);
    }

    /// <summary>The memory, or null when it does not exist or the user may not see it (both look the same).</summary>
    public async Task<MemoryView?> GetAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await ViewAsync(db, Visible(db, userId), id, cancellationToken);
    }

    /// <summary>
    /// Stores a memory a person wrote, or updates the near-duplicate of the same type and developer with its text.
    /// Writes to one repository's memories are serialised (its row is locked on PostgreSQL, the write gate serialises
    /// SQLite), so two requests saying the same thing at once make one memory. A repository at
    /// <see cref="MemoryOptions.MaxPerRepository"/> takes no new memory (a near-duplicate's update still goes through).
    /// </summary>
    public async Task<MemorySaveResult> CreateAsync(long userId, MemoryDraft draft, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await VisibleAsync(db, userId, draft.Repo, cancellationToken) is not { } access)
        {
            return new MemorySaveResult.RepositoryNotFound(draft.Repo);
        }

        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        if (await LockRepositoryAsync(db, access.GitHubId, cancellationToken) is not { Connected: true } repository)
        {
            return new MemorySaveResult.NotConnected(access.FullName);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var twin = await FindNearDuplicateAsync(db, repository.FullName, draft, cancellationToken);
        if (twin is not null)
        {
            twin.Content = draft.Content;
            twin.UpdatedAt = now;
        }
        else if (await CountAsync(db, repository.FullName, cancellationToken) >= MaxPerRepository)
        {
            Log.Full(logger, repository.FullName, MaxPerRepository, userId);
            return new MemorySaveResult.Full(repository.FullName, MaxPerRepository);
        }
        else
        {
            twin = new MemoryRecord
            {
                RepositoryFullName = repository.FullName, RepositoryGitHubId = access.GitHubId, Type = draft.Type, Content = draft.Content,
                Developer = draft.Developer, CreatedAt = now, UpdatedAt = now, CreatedByUserId = userId,
            };
            db.Memories.Add(twin);
        }

        var merged = twin.Id != 0;
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        Log.Saved(logger, repository.FullName, twin.Id, draft.Type, merged, userId);
        var view = (await ViewAsync(db, db.Memories, twin.Id, cancellationToken))!;
        return merged ? new MemorySaveResult.Merged(view) : new MemorySaveResult.Created(view);
    }

    /// <summary>
    /// Applies the change to a memory the user can see; null when there is none. An edit is taken as written: it is not
    /// merged into another memory it may now resemble.
    /// </summary>
    public async Task<MemoryView?> UpdateAsync(long userId, long id, MemoryPatch patch, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        if (await Visible(db, userId).FirstOrDefaultAsync(m => m.Id == id, cancellationToken) is not { } memory)
        {
            return null;
        }

        var before = (memory.Type, memory.Content, memory.Developer);
        memory.Type = patch.Type ?? memory.Type;
        memory.Content = patch.Content ?? memory.Content;
        memory.Developer = patch.SetsDeveloper ? patch.Developer : memory.Developer;
        if (before != (memory.Type, memory.Content, memory.Developer))
        {
            memory.UpdatedAt = time.GetUtcNow().UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            Log.Updated(logger, memory.RepositoryFullName, id, userId);
        }

        return await ViewAsync(db, db.Memories, id, cancellationToken);
    }

    /// <summary>Deletes a memory the user can see; false when there is none.</summary>
    public async Task<bool> DeleteAsync(long userId, long id, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var deleted = await Visible(db, userId).Where(m => m.Id == id).ExecuteDeleteAsync(cancellationToken) > 0;
        if (deleted)
        {
            Log.Deleted(logger, id, userId);
        }

        return deleted;
    }

    private static IQueryable<MemoryRecord> Visible(NectrDb db, long userId) =>
        db.Memories.Where(m => db.VisibleTo(userId).Contains(m.RepositoryFullName));

    /// <summary>
    /// The repository as the user's access list names it (GitHub's spelling, whatever case the caller typed), or null.
    /// The lookup stays on the (user, name) index: it reads only that user's rows.
    /// </summary>
    private static Task<VisibleRepository?> VisibleAsync(NectrDb db, long userId, string repo, CancellationToken cancellationToken)
    {
        var lowered = repo.ToLowerInvariant();
        // lower() is what both providers translate; the StringComparison overloads CA1862 suggests are not.
#pragma warning disable CA1862
        return db.UserRepositories.AsNoTracking()
            .Where(a => a.UserId == userId && a.RepositoryFullName.ToLower() == lowered)
            .Select(a => new VisibleRepository(a.RepositoryFullName, a.GitHubRepoId))
            .FirstOrDefaultAsync(cancellationToken);
#pragma warning restore CA1862
    }

    /// <summary>The repository's record, locked for this transaction on PostgreSQL (SQLite has one writer: the gate).</summary>
    private static async Task<RepositoryRecord?> LockRepositoryAsync(NectrDb db, long gitHubId, CancellationToken cancellationToken)
    {
        var rows = db.Database.IsNpgsql()
            ? await db.Repositories.FromSql($"""SELECT * FROM repositories WHERE "GitHubId" = {gitHubId} FOR UPDATE""").AsNoTracking().ToListAsync(cancellationToken)
            : await db.Repositories.AsNoTracking().Where(r => r.GitHubId == gitHubId).ToListAsync(cancellationToken);
        return rows.FirstOrDefault();
    }

    private static Task<int> CountAsync(NectrDb db, string repository, CancellationToken cancellationToken) =>
        db.Memories.CountAsync(m => m.RepositoryFullName == repository, cancellationToken);

    /// <summary>The most similar memory of the same repository, type and developer that says the same thing, tracked; or null.</summary>
    private static async Task<MemoryRecord?> FindNearDuplicateAsync(NectrDb db, string repository, MemoryDraft draft, CancellationToken cancellationToken)
    {
        var sameKind = await db.Memories
            .Where(m => m.RepositoryFullName == repository && m.Type == draft.Type)
            .Select(m => new { m.Id, m.Content, m.Developer, m.UpdatedAt })
            .ToListAsync(cancellationToken);
        var best = sameKind
            .Where(m => string.Equals(m.Developer, draft.Developer, StringComparison.OrdinalIgnoreCase) && MemorySimilarity.IsNearDuplicate(m.Content, draft.Content))
            .OrderByDescending(m => MemorySimilarity.Of(m.Content, draft.Content)).ThenByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id)
            .FirstOrDefault();
        return best is null ? null : await db.Memories.FirstAsync(m => m.Id == best.Id, cancellationToken);
    }

    private static async Task<MemoryView?> ViewAsync(NectrDb db, IQueryable<MemoryRecord> memories, long id, CancellationToken cancellationToken) =>
        await Views(db, memories.AsNoTracking().Where(m => m.Id == id)).FirstOrDefaultAsync(cancellationToken) is { } view ? Utc(view) : null;

    private static IQueryable<MemoryView> Views(NectrDb db, IQueryable<MemoryRecord> memories) => memories.Select(m => new MemoryView(
        m.Id, m.RepositoryFullName, m.Type, m.Content, m.Developer, m.SourcePullNumber,
        db.Users.Where(u => u.Id == m.CreatedByUserId).Select(u => u.Login).FirstOrDefault() ?? (m.Source == MemorySources.User ? null : NectrAuthor),
        m.CreatedAt, m.UpdatedAt, m.Source));

    /// <summary>What <c>created_by</c> says of a memory Nectr wrote itself (extracted after a review, or the project scan).</summary>
    public const string NectrAuthor = "nectr";

    private static MemoryView Utc(MemoryView view) =>
        view with { CreatedAt = ReviewReadModel.AsUtc(view.CreatedAt), UpdatedAt = ReviewReadModel.AsUtc(view.UpdatedAt) };

    private sealed record VisibleRepository(string FullName, long GitHubId);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "{Repository}: memory {MemoryId} ({Type}) saved by user {UserId} (updated a near-duplicate: {Merged})")]
        public static partial void Saved(ILogger logger, string repository, long memoryId, string type, bool merged, long userId);

        [LoggerMessage(2, LogLevel.Information, "{Repository}: memory {MemoryId} edited by user {UserId}")]
        public static partial void Updated(ILogger logger, string repository, long memoryId, long userId);

        [LoggerMessage(3, LogLevel.Information, "Memory {MemoryId} deleted by user {UserId}")]
        public static partial void Deleted(ILogger logger, long memoryId, long userId);

        [LoggerMessage(6, LogLevel.Information, "{Repository}: a new memory from user {UserId} was refused: the repository keeps {Max} memories (MEMORY_MAX_PER_REPOSITORY)")]
        public static partial void Full(ILogger logger, string repository, int max, long userId);
    }
}
