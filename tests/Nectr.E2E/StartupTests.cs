using Nectr.E2E.Infrastructure;

namespace Nectr.E2E;

public sealed class StartupTests
{
    [Fact]
    public async Task A_bad_configuration_stops_the_process_with_every_fix_listed()
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NectrProcess.StartAsync(
            new Dictionary<string, string>
            {
                ["DATABASE_URL"] = "mysql://root@localhost/nectr",
                ["PORT"] = "99999",
                ["APP_ENV"] = "production",
            },
            TestContext.Current.CancellationToken));

        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("Nectr cannot start; fix these settings", error.Message, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL scheme 'mysql' is not supported", error.Message, StringComparison.Ordinal);
        Assert.Contains("PORT '99999' must be a whole number from 1 to 65535", error.Message, StringComparison.Ordinal);
        Assert.Contains("APP_ENV=production needs GITHUB_WEBHOOK_SECRET", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_start_with_no_settings_creates_its_sqlite_database_and_is_ready()
    {
        await using var server = await NectrProcess.StartAsync(new Dictionary<string, string>(), TestContext.Current.CancellationToken);

        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var health = await http.GetStringAsync("health", TestContext.Current.CancellationToken);

        Assert.Contains("\"database\":\"ok\"", health, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(server.WorkingDirectory, "nectr.db")));
    }
}
