namespace Nectr.Sync;

/// <summary>Wakes this process's idle sync loops when a job is queued here; other processes find it by polling.</summary>
internal sealed class SyncSignal : IDisposable
{
    private readonly SemaphoreSlim _signal = new(0, int.MaxValue);

    public void Dispose() => _signal.Dispose();

    public void Notify() => _signal.Release();

    public Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _signal.WaitAsync(timeout, cancellationToken);
}
