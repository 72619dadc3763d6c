using System.Data.Common;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Nectr.Data;

/// <summary>
/// Copies SQLite's write-ahead log back into the database file on a thread of its own. SQLite's default does it
/// inside the commit that takes the log past 1,000 pages, so one intake batch in a dozen paid for the copy and its two
/// fsyncs (about 15 ms), and the single intake writer, busy nine tenths of the time under load, spent three quarters of
/// its commit time there (PERFORMANCE.md). Here every commit of a transaction wakes this loop, which waits a moment to
/// gather more, then runs a PASSIVE checkpoint on its own connection: it copies what no reader still needs and never
/// blocks a writer or a reader. Such a copy never ends caught up while intake keeps committing, and SQLite starts the
/// log over only once it is, so when the log passes <see cref="RestartPages"/> the short tail left is copied again with
/// this process's writers held at <see cref="DbWriteGate"/> (a few milliseconds, where the commit paid for all of it).
/// The commit's own checkpoint stays as a backstop at <see cref="BackstopPages"/>, so the log stays bounded even if this
/// loop falls behind or does not run (a command-line host). Durability is unchanged: a checkpoint syncs as before.
/// </summary>
internal sealed partial class SqliteCheckpointer(string connectionString, DbWriteGate writeGate, ILogger<SqliteCheckpointer> logger) : BackgroundService
{
    /// <summary>What the commit itself still checkpoints at: ten times SQLite's default, 40 MB of log with 4 KB pages.</summary>
    public const int BackstopPages = 10_000;

    /// <summary>A log this long is finished with writers held back, so that it can start over.</summary>
    private const int RestartPages = 1_000;

    /// <summary>How long a wake-up waits for more commits before it checkpoints them all.</summary>
    private static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(20);

    /// <summary>Commits that are not in a transaction (a single statement) wake nobody; this catches them.</summary>
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(10);

    // No maximum count: a wake-up that races the idle timeout may leave one spare count behind, which costs one extra
    // (empty) round of the loop, where a full semaphore would throw into the committing caller.
    private readonly SemaphoreSlim _committed = new(0);
    private int _pending;

    /// <summary>A transaction committed: the log has grown. Cheap and safe from any thread.</summary>
    public void Notify()
    {
        if (Interlocked.Exchange(ref _pending, 1) == 0)
        {
            _committed.Release();
        }
    }

    /// <summary>The pragma that goes with this: every connection Nectr opens leaves the checkpoint to this loop.</summary>
    public static string ConnectionPragma => $"PRAGMA wal_autocheckpoint={BackstopPages};";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await using var connection = new SqliteConnection(connectionString);
        var failed = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (failed)
                {
                    failed = false;
                    await Task.Delay(Idle, stoppingToken);
                }

                await _committed.WaitAsync(Idle, stoppingToken);
                await Task.Delay(Gather, stoppingToken);
                Interlocked.Exchange(ref _pending, 0);
                if (connection.State != System.Data.ConnectionState.Open)
                {
                    await connection.OpenAsync(stoppingToken);
                }

                if (await CheckpointAsync(connection, stoppingToken) >= RestartPages)
                {
                    // Writers keep appending while the copy runs, so it never ends caught up and the log never starts
                    // over (its "copied all" counts the log as it was when the copy began, so it cannot tell); finish
                    // the tail with this process's writers held at the gate. SqliteCheckpointerTests fails without it.
                    using var _ = await writeGate.EnterAsync(stoppingToken);
                    await CheckpointAsync(connection, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                // Never a reason to stop the host: the commit's own backstop keeps the log bounded meanwhile. Try again
                // on a fresh connection after a pause, so a lasting fault (a full disk) does not spin.
                Log.Failed(logger, ex);
                await connection.CloseAsync();
                failed = true;
            }
        }
    }

    /// <summary>One PASSIVE checkpoint; returns the pages in the log (SQLite's second result column).</summary>
    private async Task<int> CheckpointAsync(SqliteConnection connection, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(PASSIVE);";
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return 0;
        }

        var logPages = reader.GetInt32(1);
        Log.Checkpointed(logger, reader.GetInt32(0) != 0, logPages, reader.GetInt32(2));
        return logPages;
    }

    /// <summary>Wakes the checkpointer after every committed transaction of a Nectr connection.</summary>
    internal sealed class CommitInterceptor(SqliteCheckpointer checkpointer) : DbTransactionInterceptor
    {
        public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => checkpointer.Notify();

        public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            checkpointer.Notify();
            return Task.CompletedTask;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Trace, "SQLite checkpoint: busy {Busy}, {LogPages} page(s) in the log, {Copied} copied")]
        public static partial void Checkpointed(ILogger logger, bool busy, int logPages, int copied);

        [LoggerMessage(2, LogLevel.Warning, "SQLite checkpoint failed; commits still checkpoint once the log passes the backstop")]
        public static partial void Failed(ILogger logger, Exception exception);
    }
}
