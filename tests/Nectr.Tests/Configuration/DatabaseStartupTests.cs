using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Configuration;

/// <summary>
/// Start-up's first connection: what waiting cannot fix stops at once with a message naming DATABASE_URL and the
/// host:port, never the password. (The wait itself, against a closed port, is shown on a real process in the E2E
/// StartupTests.)
/// </summary>
public sealed class DatabaseStartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_wrong_postgres_password_stops_at_once_naming_database_url_without_the_password()
    {
        var url = WithCredentials("nectr_test", "wrong-password-9c1e", "postgres");

        var problem = await ProblemAsync(url, waitSeconds: "30");

        Assert.StartsWith($"DATABASE_URL: PostgreSQL at {Endpoint()} refused the user name and password (28P01", problem, StringComparison.Ordinal);
        Assert.Contains("percent-encoding special characters", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-9c1e", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_postgres_database_stops_at_once_saying_to_create_it()
    {
        var admin = new Uri(Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES")!);
        var url = new UriBuilder(admin) { Path = "/nectr_missing_" + Guid.NewGuid().ToString("N")[..8] }.Uri.ToString();

        var problem = await ProblemAsync(url, waitSeconds: "30");

        Assert.StartsWith("DATABASE_URL names database 'nectr_missing_", problem, StringComparison.Ordinal);
        Assert.Contains("Create it (createdb", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_sqlite_file_in_a_missing_directory_names_database_url_and_the_fix()
    {
        var path = Path.Combine(Path.GetTempPath(), "nectr-absent-" + Guid.NewGuid().ToString("N"), "nectr.db");

        var problem = await ProblemAsync("sqlite:///" + path, waitSeconds: "0");

        Assert.StartsWith($"DATABASE_URL points at sqlite:{path}, which SQLite cannot open", problem, StringComparison.Ordinal);
        Assert.Contains("Create the directory", problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_reachable_database_is_no_problem()
    {
        await using var database = await TestDatabase.CreateAsync("postgres");

        Assert.Null(await ProblemAsync(database.Url, waitSeconds: "0"));
    }

    private static async Task<string?> ProblemAsync(string url, string waitSeconds)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("DATABASE_URL", url), new("DATABASE_WAIT_SECONDS", waitSeconds)]);
        var options = NectrConfiguration.Load(builder.Configuration);
        builder.Services.AddNectrOptions(builder.Configuration);
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddData(options.Database);
        using var host = builder.Build();
        return await DatabaseStartup.WaitUntilReachableAsync(host.Services, Ct);
    }

    private static string Endpoint()
    {
        var admin = new Uri(Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES")!);
        return $"{admin.Host}:{admin.Port}";
    }

    private static string WithCredentials(string user, string password, string database)
    {
        var admin = new Uri(Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES")!);
        return $"postgresql://{user}:{Uri.EscapeDataString(password)}@{admin.Host}:{admin.Port}/{database}";
    }
}
