using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Data;

/// <summary>
/// SQLite has a single writer: letting concurrent transactions collide makes each one spin in SQLite's busy
/// handler. Queuing writers in-process instead keeps intake latency flat. PostgreSQL needs no gate.
/// </summary>
internal sealed class DbWriteGate(IOptions<DatabaseOptions> options)
{
    private readonly SemaphoreSlim? _gate = options.Value.Connection.Provider == DatabaseProvider.Sqlite ? new SemaphoreSlim(1, 1) : null;

    public async ValueTask<Releaser> EnterAsync(CancellationToken cancellationToken)
    {
        if (_gate is not null)
        {
            await _gate.WaitAsync(cancellationToken);
        }

        return new Releaser(_gate);
    }

    public readonly struct Releaser(SemaphoreSlim? gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
