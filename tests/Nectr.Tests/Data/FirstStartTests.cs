using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Jobs;

namespace Nectr.Tests.Data;

/// <summary>
/// The first start on an empty database, as an operator sees it: every migration applied, ready, and not one error in
/// the log. On PostgreSQL EF's first read of its migration history used to fail and be logged at Error with its SQL
/// (Npgsql's history repository assumes the table exists), so a clean install printed a <c>fail:</c> line.
/// </summary>
public sealed class FirstStartTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_first_start_on_an_empty_database_migrates_and_logs_no_error(string provider)
    {
        var logs = new LogRecorder();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs))
        {
            using var client = app.CreateClient();
            using var ready = await client.GetAsync("/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
            Assert.Empty(await app.QueryAsync(db => db.Database.GetPendingMigrationsAsync(Ct)));
            Assert.NotEmpty(await app.QueryAsync(db => db.Database.GetAppliedMigrationsAsync(Ct)));
        }

        // And a second start on the now migrated database: nothing to apply, nothing logged either.
        await using (var again = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs))
        {
            using var client = again.CreateClient();
            using var ready = await client.GetAsync("/health/ready", Ct);
            Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        }

        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Error).Select(e => $"{e.Level} {e.Category}[{e.EventId}] {e.Message}").ToList();
        Assert.True(errors.Count == 0, string.Join('\n', errors));
    }
}
