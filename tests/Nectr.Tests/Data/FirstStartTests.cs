using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Jobs;

namespace Nectr.Tests.Data;

/// <summary>
/// Start-up's migrations as an operator sees them: on an empty database every migration applied, ready, and no error
/// or warning in the log; on an older database one line saying it is upgraded, from which migration to which. On
/// PostgreSQL EF's first read of its migration history used to fail and be logged at Error with its SQL (Npgsql's
/// history repository assumes the table exists), so a clean install printed a <c>fail:</c> line; on SQLite EF warned,
/// for developers, that a table rebuild runs partly outside the transaction.
/// </summary>
public sealed class FirstStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Information, as a server logs by default (the tests' NectrApp logs Warning and up).</summary>
    private static Dictionary<string, string?> Settings => new() { ["REVIEW_CONCURRENCY"] = "0", ["LOG_LEVEL"] = "Information" };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_first_start_on_an_empty_database_migrates_and_logs_no_error_and_no_EF_warning(string provider)
    {
        var logs = new LogRecorder();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var app = new NectrApp(database, settings: Settings, logs: logs))
        {
            using var client = app.CreateClient();
            using var ready = await client.GetAsync("/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Empty(await app.QueryAsync(db => db.Database.GetPendingMigrationsAsync(Ct)));
            Assert.NotEmpty(await app.QueryAsync(db => db.Database.GetAppliedMigrationsAsync(Ct)));
        }

        // And a second start on the now migrated database: nothing to apply, nothing logged either.
        await using (var again = new NectrApp(database, settings: Settings, logs: logs))
        {
            using var client = again.CreateClient();
            using var ready = await client.GetAsync("/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var problems = logs.Entries.Where(e => e.Level >= LogLevel.Error || (e.Level == LogLevel.Warning && e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal)))
            .Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message}").ToList();
        Assert.True(problems.Count == 0, string.Join('\n', problems));
        var said = logs.Entries.Where(e => e.Category == "Nectr.Data.Migrations").Select(e => e.Message).ToList();
        Assert.Equal(2, said.Count); // the second start had nothing to apply and says nothing
        Assert.StartsWith("Creating the database schema: ", said[0], StringComparison.Ordinal);
        Assert.StartsWith("Database schema up to date (", said[1], StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_older_database_is_upgraded_with_one_line_saying_from_which_migration_and_no_warning(string provider)
    {
        var logs = new LogRecorder();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var old = FileNotesMigrationTests.Context(database))
        {
            await old.GetService<IMigrator>().MigrateAsync("LivingPullRequests", Ct);
        }

        await using var app = new NectrApp(database, settings: Settings, logs: logs);
        using var client = app.CreateClient();
        using var ready = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Empty(await app.QueryAsync(db => db.Database.GetPendingMigrationsAsync(Ct)));
        var upgrading = Assert.Single(logs.Entries, e => e.Category == "Nectr.Data.Migrations" && e.Message.StartsWith("Upgrading", StringComparison.Ordinal));
        Assert.Matches("from migration [0-9]{14}_LivingPullRequests to [0-9]{14}_", upgrading.Message);
        Assert.Contains("README, Upgrading", upgrading.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(logs.Entries, e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Microsoft.EntityFrameworkCore", StringComparison.Ordinal));
    }
}
