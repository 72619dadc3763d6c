using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>
/// What the database says about one GitHub repository id: whether it has a secret of its own, that secret once
/// unprotected (null when the key ring cannot open it), and whether it is connected.
/// </summary>
internal sealed record RepositorySecretRow(bool HasOwnSecret, string? Secret, bool Connected);

/// <summary>
/// The repository rows <see cref="WebhookSecrets"/> decides from, kept in memory so a delivery costs no query (PERFORMANCE.md,
/// issue #13). A row is seen again:
/// <list type="bullet">
/// <item>at once after any save in this process that touches a repository (Connect, Disconnect, an App installation,
/// tests' own seeding: <see cref="ChangeInterceptor"/> clears the cache after the save commits), which is what makes
/// GitHub's ping right after Connect verify with the new secret;</item>
/// <item>within <see cref="Lifetime"/> after another process (scale-out) or a bulk update changed it: an entry is only
/// trusted that long.</item>
/// </list>
/// A read that started before a clear never stores its (possibly stale) answer: each clear moves the generation on.
/// </summary>
internal sealed class RepositorySecretCache
{
    /// <summary>How long another process's change can go unseen; a redelivery after a 401 in that window verifies.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<long, (RepositorySecretRow? Row, long Until)> _rows = new();
    private long _generation;

    public async ValueTask<RepositorySecretRow?> GetAsync(long gitHubId, Func<long, CancellationToken, Task<RepositorySecretRow?>> read, CancellationToken cancellationToken)
    {
        var now = Stopwatch.GetTimestamp();
        if (_rows.TryGetValue(gitHubId, out var cached) && now < cached.Until)
        {
            return cached.Row;
        }

        var generation = Volatile.Read(ref _generation);
        var row = await read(gitHubId, cancellationToken);
        if (Volatile.Read(ref _generation) == generation)
        {
            _rows[gitHubId] = (row, now + (long)(Lifetime.TotalSeconds * Stopwatch.Frequency));
        }

        return row;
    }

    /// <summary>Forgets every row: the next delivery of each repository reads it again.</summary>
    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _rows.Clear();
    }

    /// <summary>Clears the cache after every save, and every commit, of a context with repository rows in its change tracker.</summary>
    internal sealed class ChangeInterceptor(RepositorySecretCache cache) : SaveChangesInterceptor, IDbTransactionInterceptor
    {
        // Inside a transaction the saved row is visible to others only after the commit: clear again then.
        public void TransactionCommitted(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData) => ClearIfRepositories(eventData.Context);

        public Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            ClearIfRepositories(eventData.Context);
            return Task.CompletedTask;
        }

        public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
        {
            ClearIfRepositories(eventData.Context);
            return result;
        }

        public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
        {
            ClearIfRepositories(eventData.Context);
            return ValueTask.FromResult(result);
        }

        public override void SaveChangesFailed(DbContextErrorEventData eventData) => ClearIfRepositories(eventData.Context);

        public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
        {
            ClearIfRepositories(eventData.Context);
            return Task.CompletedTask;
        }

        private void ClearIfRepositories(DbContext? context)
        {
            if (context is not null && context.ChangeTracker.Entries<RepositoryRecord>().Any())
            {
                cache.Clear();
            }
        }
    }
}
