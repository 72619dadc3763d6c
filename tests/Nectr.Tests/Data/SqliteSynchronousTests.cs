using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Data;

/// <summary>
/// SQLite's <c>synchronous</c> is per connection, so Nectr sets it on every connection it opens: NORMAL by default (in
/// WAL a commit survives a crash of the process), FULL with <c>SQLITE_SYNCHRONOUS_FULL=true</c> (it survives power loss too).
/// </summary>
public sealed class SqliteSynchronousTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(null, 1)]    // NORMAL
    [InlineData("false", 1)]
    [InlineData("true", 2)]  // FULL
    public async Task Every_connection_runs_with_the_configured_synchronous_level_in_wal_mode(string? full, long expected)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SQLITE_SYNCHRONOUS_FULL"] = full });

        var (mode, level) = await app.QueryAsync(async db => (
            await db.Database.SqlQueryRaw<string>("PRAGMA journal_mode").ToListAsync(Ct),
            await db.Database.SqlQueryRaw<long>("PRAGMA synchronous").ToListAsync(Ct)));

        Assert.Equal("wal", Assert.Single(mode));
        Assert.Equal(expected, Assert.Single(level));
    }
}
