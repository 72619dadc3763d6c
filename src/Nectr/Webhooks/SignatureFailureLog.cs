using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>
/// Counts deliveries for a connected repository whose signature did not verify, so the dashboard and
/// <c>/health/ready</c> can say "the secret on GitHub does not match". Recording is a non-blocking hand-off; the
/// counts are written at most about once a second, so a flood of forged deliveries cannot flood the database.
/// </summary>
internal sealed partial class SignatureFailureLog(
    IDbContextFactory<NectrDb> dbs,
    DbWriteGate writeGate,
    TimeProvider time,
    ILogger<SignatureFailureLog> logger) : BackgroundService
{
    private static readonly TimeSpan FlushInterval = TimeSpan.FromSeconds(1);

    // A troubleshooting counter: when thousands are waiting, dropping more loses nothing anyone needs.
    private readonly Channel<long> _failures = Channel.CreateBounded<long>(new BoundedChannelOptions(4096)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.DropWrite,
    });

    /// <summary>Notes a failed signature for the repository GitHub named in <c>X-GitHub-Hook-Installation-Target-ID</c>.</summary>
    public void Record(long gitHubRepositoryId) => _failures.Writer.TryWrite(gitHubRepositoryId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (await _failures.Reader.WaitToReadAsync(stoppingToken))
            {
                var counts = new Dictionary<long, int>();
                while (_failures.Reader.TryRead(out var id))
                {
                    counts[id] = counts.GetValueOrDefault(id) + 1;
                }

                await FlushAsync(counts, stoppingToken);
                await Task.Delay(FlushInterval, time, stoppingToken);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: uncounted failures are only diagnostics.
        }
    }

    private async Task FlushAsync(Dictionary<long, int> counts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        try
        {
            using var _ = await writeGate.EnterAsync(cancellationToken);
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            foreach (var (id, count) in counts)
            {
                // Only connected repositories: for any other id there is no secret of Nectr's that could be wrong.
                await db.Repositories
                    .Where(r => r.GitHubId == id && r.Connected)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(r => r.SignatureFailures, r => r.SignatureFailures + count)
                        .SetProperty(r => r.LastSignatureFailureAt, now), cancellationToken);
            }
        }
        catch (Exception ex) when (ex is DbException or DbUpdateException or InvalidOperationException)
        {
            Log.FlushFailed(logger, ex, counts.Count);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not record signature failures for {Count} repository(ies)")]
        public static partial void FlushFailed(ILogger logger, Exception exception, int count);
    }
}
