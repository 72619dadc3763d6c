using System.Security.Cryptography;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Data;

/// <summary>
/// The write-ahead log is copied back into the database file by <see cref="SqliteCheckpointer"/>, not by the commit that
/// happens to take it past SQLite's 1,000 pages: every connection's own checkpoint is moved out to a backstop of 10,000
/// pages, so below that only the checkpointer can have copied anything.
/// </summary>
public sealed class SqliteCheckpointerTests
{
    private const int MaxTransactions = 1_500;
    private const int BlobBytes = 24 * 1024; // six 4 KB pages a transaction: at most 9,000 pages, under the backstop

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_connection_leaves_the_checkpoint_to_the_checkpointer_up_to_the_backstop()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });

        var pages = await app.QueryAsync(db => db.Database.SqlQueryRaw<long>("PRAGMA wal_autocheckpoint").ToListAsync(Ct));

        Assert.Equal(SqliteCheckpointer.BackstopPages, Assert.Single(pages));
    }

    [Fact]
    public async Task Committed_transactions_reach_the_database_file_and_the_log_starts_over_while_writes_go_on()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var file = database.Url["sqlite:///".Length..];
        await app.QueryAsync(db => Task.FromResult(0)); // started and migrated
        var before = new FileInfo(file).Length;

        // Writes without a pause, as intake under load does, until the log has started over twice. Below the backstop
        // (at most 1,500 × 6 pages) only the checkpointer can copy the log and let it start over.
        var gate = app.Services.GetRequiredService<DbWriteGate>();
        var factory = app.Services.GetRequiredService<IDbContextFactory<NectrDb>>();
        var starts = new HashSet<uint>();
        var written = 0L;
        for (var i = 0; i < MaxTransactions && starts.Count < 3; i++)
        {
            using (await gate.EnterAsync(Ct))
            {
                await using var db = await factory.CreateDbContextAsync(Ct);
                await using var tx = await db.Database.BeginTransactionAsync(Ct);
                db.Deliveries.Add(new DeliveryRecord
                {
                    DeliveryId = $"checkpoint-{i}",
                    Event = "ping",
                    PayloadBrotli = RandomNumberGenerator.GetBytes(BlobBytes), // incompressible: its pages are its size
                    ReceivedAt = DateTime.UtcNow,
                    Outcome = DeliveryOutcome.Skipped,
                });
                await db.SaveChangesAsync(Ct);
                await tx.CommitAsync(Ct);
            }

            written += BlobBytes;
            starts.Add(CheckpointSequence(file + "-wal"));
        }

        // The WAL header's checkpoint sequence number changes each time the log starts over from its beginning.
        Assert.True(starts.Count >= 3, $"the log started over {starts.Count - 1} time(s) in {written / BlobBytes} transactions");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (new FileInfo(file).Length - before < written && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        // Only a checkpoint writes the database file in WAL mode.
        Assert.True(new FileInfo(file).Length - before >= written, $"the database file grew {new FileInfo(file).Length - before} bytes of the {written} committed");
    }

    /// <summary>Bytes 12–15 of the WAL header, big-endian (sqlite.org/fileformat.html, "WAL File Format").</summary>
    private static uint CheckpointSequence(string wal)
    {
        using var stream = new FileStream(wal, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        Span<byte> header = stackalloc byte[16];
        stream.ReadExactly(header);
        return System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(header[12..]);
    }
}
