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
    private const int Transactions = 600;
    private const int BlobBytes = 24 * 1024; // six 4 KB pages a transaction: 3,600 pages in all, under the backstop

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
    public async Task Committed_transactions_reach_the_database_file_and_the_log_starts_over()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var file = database.Url["sqlite:///".Length..];
        await app.QueryAsync(db => Task.FromResult(0)); // started and migrated
        var before = new FileInfo(file).Length;

        var gate = app.Services.GetRequiredService<DbWriteGate>();
        var factory = app.Services.GetRequiredService<IDbContextFactory<NectrDb>>();
        for (var i = 0; i < Transactions; i++)
        {
            using var _ = await gate.EnterAsync(Ct);
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

        var written = (long)Transactions * BlobBytes;
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (new FileInfo(file).Length - before < written && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50, Ct);
        }

        // Only a checkpoint writes the database file in WAL mode, and no commit reached the backstop.
        Assert.True(new FileInfo(file).Length - before >= written,
            $"the database file grew {new FileInfo(file).Length - before} bytes of the {written} committed");
        // The log was finished and started over at least once, so it is far shorter than everything committed.
        Assert.True(new FileInfo(file + "-wal").Length < written / 2,
            $"the log is {new FileInfo(file + "-wal").Length} bytes after {written} were committed");
        Assert.Equal(Transactions, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
    }
}
