using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Health;

/// <summary>
/// /health/ready is made of named checks: one that fails makes Nectr not ready with that check's reason and fix,
/// while /health/live, which runs no check, keeps answering so the process is not restarted for it.
/// </summary>
public sealed class NamedChecksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_database_missing_a_migration_makes_ready_503_with_the_reason_and_fix_while_live_stays_up(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        using var client = app.CreateClient();
        await client.GetAsync("/health/live", Ct); // started and migrated
        // As if this build carried a migration the database never got.
        var newest = await app.QueryAsync(db => db.Database.GetAppliedMigrationsAsync(Ct));
        await app.QueryAsync(db => db.Database.ExecuteSqlAsync($"DELETE FROM \"__EFMigrationsHistory\" WHERE \"MigrationId\" = {newest.Last()}", Ct));

        using var ready = await client.GetAsync("/health/ready", Ct);
        using var live = await client.GetAsync("/health/live", Ct);
        using var overview = JsonDocument.Parse(await client.GetStringAsync("/health", Ct));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal("not_ready", body.RootElement.GetProperty("status").GetString());
        var reason = Assert.Single(body.RootElement.GetProperty("reasons").EnumerateArray()).GetString()!;
        Assert.Contains("is migrations pending", reason, StringComparison.Ordinal);
        Assert.Contains("check DATABASE_URL", reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("alive", JsonDocument.Parse(await live.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
        Assert.Equal("migrations pending", overview.RootElement.GetProperty("database").GetString());
        Assert.Equal("degraded", overview.RootElement.GetProperty("status").GetString());
    }

    [Fact]
    public async Task An_unreachable_database_is_one_reason_and_live_stays_up()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = app.CreateClient();
        await client.GetAsync("/health/live", Ct);
        HealthTests.BreakSqliteFile(database);

        using var ready = await client.GetAsync("/health/ready", Ct);
        using var live = await client.GetAsync("/health/live", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        var reason = Assert.Single(body.RootElement.GetProperty("reasons").EnumerateArray()).GetString()!;
        Assert.Contains("is unreachable: check DATABASE_URL and that the server is running", reason, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task A_degraded_check_warns_with_its_fix_and_ready_stays_200()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["GITHUB_WEBHOOK_SECRET"] = "" });
        using var client = app.CreateClient();

        using var ready = await client.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        using var body = JsonDocument.Parse(await ready.Content.ReadAsStringAsync(Ct));
        Assert.Equal("ready", body.RootElement.GetProperty("status").GetString());
        Assert.Empty(body.RootElement.GetProperty("reasons").EnumerateArray());
        Assert.Contains(body.RootElement.GetProperty("warnings").EnumerateArray(),
            w => w.GetString()!.StartsWith("GITHUB_WEBHOOK_SECRET is not set", StringComparison.Ordinal));
    }
}
