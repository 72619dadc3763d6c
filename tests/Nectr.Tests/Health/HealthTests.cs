using System.Net;
using System.Text.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Health;

public sealed class HealthTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Health_reports_service_version_environment_uptime_and_database(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/health", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));
        var root = json.RootElement;
        Assert.Equal("ok", root.GetProperty("status").GetString());
        Assert.Equal("nectr", root.GetProperty("service").GetString());
        Assert.Equal("test", root.GetProperty("environment").GetString());
        Assert.Equal("ok", root.GetProperty("database").GetString());
        Assert.Matches(@"^\d+\.\d+\.\d+$", root.GetProperty("version").GetString());
        Assert.True(root.GetProperty("uptime_seconds").GetInt64() >= 0);
    }

    [Fact]
    public async Task Live_and_ready_answer_200_when_the_database_is_migrated()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = app.CreateClient();

        using var live = await client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Contains("\"status\":\"ready\"", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ready_answers_503_with_the_reason_when_the_database_is_unreachable()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = app.CreateClient();
        await client.GetAsync("/health/live", TestContext.Current.CancellationToken); // started and migrated
        BreakSqliteFile(database);

        using var ready = await client.GetAsync("/health/ready", TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        Assert.Contains("DATABASE_URL", await ready.Content.ReadAsStringAsync(TestContext.Current.CancellationToken), StringComparison.Ordinal);
    }

    /// <summary>Makes the SQLite file unusable underneath the running app.</summary>
    internal static void BreakSqliteFile(TestDatabase database)
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        var path = database.ConnectionString["Data Source=".Length..];
        File.WriteAllText(path, "this is not a database");
        foreach (var sidecar in new[] { path + "-wal", path + "-shm" })
        {
            File.Delete(sidecar);
        }
    }
}
