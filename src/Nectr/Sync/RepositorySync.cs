namespace Nectr.Sync;

/// <summary>Queues a repository's background sync work; the <see cref="SyncRunner"/> of some Nectr process runs it.</summary>
internal sealed class RepositorySync(SyncQueue queue, SyncSignal signal, IServiceScopeFactory scopes)
{
    /// <summary>Queues <paramref name="kind"/> for the repository to run now, from the beginning (a running one starts again).</summary>
    public async Task EnqueueAsync(string repositoryFullName, string kind, CancellationToken cancellationToken)
    {
        await queue.EnqueueAsync(repositoryFullName, kind, cancellationToken);
        signal.Notify();
    }

    /// <summary>Queues every registered kind of sync work for the repository (what connecting a repository starts).</summary>
    public async Task EnqueueAllAsync(string repositoryFullName, CancellationToken cancellationToken)
    {
        foreach (var kind in Kinds())
        {
            await EnqueueAsync(repositoryFullName, kind, cancellationToken);
        }
    }

    /// <summary>The kinds registered as <see cref="IRepositorySyncTask"/> (scoped services, so read from a scope of their own).</summary>
    public IReadOnlyList<string> Kinds()
    {
        using var scope = scopes.CreateScope();
        return [.. scope.ServiceProvider.GetServices<IRepositorySyncTask>().Select(t => t.Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }
}
