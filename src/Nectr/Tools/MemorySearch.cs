using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Context;

namespace Nectr.Tools;

/// <summary>A memory that matched a search: its type, what it says, and whom it is about.</summary>
internal sealed record MemoryHit(string Type, string Content, string? Developer);

/// <summary>
/// The project memories of one repository that match a query, for <c>search_memory</c>: read through the index
/// <c>(RepositoryFullName, Type, Developer)</c> of <c>memories</c> (bounded to the most recently updated
/// <see cref="MaxScanned"/>) and ranked with BM25 over their content (<see cref="TextSearch"/>).
/// </summary>
internal sealed class MemorySearch(IDbContextFactory<NectrDb> dbs)
{
    /// <summary>Memories read per search: far more than a repository's real memory, bounded for a hostile one.</summary>
    public const int MaxScanned = 2_000;

    /// <summary>Memories of <paramref name="repository"/> matching <paramref name="query"/>; only those about <paramref name="developer"/> when one is named.</summary>
    public async Task<IReadOnlyList<MemoryHit>> SearchAsync(string repository, string query, string? developer, int max, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var memories = db.Memories.AsNoTracking().Where(m => m.RepositoryFullName == repository);
        if (developer is not null)
        {
            memories = memories.Where(m => m.Developer == developer);
        }

        var rows = await memories
            .OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id)
            .Take(MaxScanned)
            .Select(m => new MemoryHit(m.Type, m.Content, m.Developer))
            .ToListAsync(cancellationToken);
        var ranked = TextSearch.Rank(query, [.. rows.Select(r => r.Content)], max);
        return [.. ranked.Select(i => rows[i])];
    }
}
