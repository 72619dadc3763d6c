using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;
using Npgsql;

namespace Nectr.E2E;

public sealed class StartupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>A production configuration that starts, for tests that change one thing in it.</summary>
    private static Dictionary<string, string> Production(params (string Key, string Value)[] changes)
    {
        var settings = new Dictionary<string, string>
        {
            ["APP_ENV"] = "production",
            ["LOG_LEVEL"] = "Warning",
            ["BACKEND_URL"] = "https://nectr.example.com",
            ["GITHUB_WEBHOOK_SECRET"] = E2EDatabase.Secret,
            ["GITHUB_PAT"] = "ghp_unused_in_this_test",
            ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
            ["AUTH_ALLOWED_USERS"] = "octocat",
            ["LLM_PROVIDER"] = "none",
            ["REVIEW_CONCURRENCY"] = "0",
            ["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"] = "true",
        };
        foreach (var (key, value) in changes)
        {
            settings[key] = value;
        }

        return settings;
    }

    private static async Task<string> RefusedAsync(IReadOnlyDictionary<string, string> settings)
    {
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NectrProcess.StartAsync(settings, Ct));
        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        // A configuration problem is a message, never a crash.
        Assert.DoesNotContain("Unhandled exception", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.Message, StringComparison.Ordinal);
        return error.Message;
    }

    [Fact]
    public async Task A_bad_configuration_stops_the_process_with_every_fix_listed()
    {
        var message = await RefusedAsync(new Dictionary<string, string>
        {
            ["DATABASE_URL"] = "mysql://root@localhost/nectr",
            ["PORT"] = "99999",
            ["APP_ENV"] = "production",
        });

        Assert.Contains("Nectr cannot start; fix these settings", message, StringComparison.Ordinal);
        Assert.Contains("DATABASE_URL scheme 'mysql' is not supported", message, StringComparison.Ordinal);
        Assert.Contains("PORT '99999' must be a whole number from 1 to 65535", message, StringComparison.Ordinal);
        Assert.Contains("APP_ENV=production needs GITHUB_WEBHOOK_SECRET", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_fresh_start_with_no_settings_creates_its_sqlite_database_and_is_ready()
    {
        await using var server = await NectrProcess.StartAsync(new Dictionary<string, string>(), Ct);

        using var http = new HttpClient { BaseAddress = server.BaseUrl };
        var health = await http.GetStringAsync("health", Ct);

        Assert.Contains("\"database\":\"ok\"", health, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(server.WorkingDirectory, "nectr.db")));
    }

    [Fact]
    public async Task A_head_request_for_health_gets_its_headers_without_a_body_and_the_connection_stays_usable()
    {
        await using var server = await NectrProcess.StartAsync(new Dictionary<string, string>(), Ct);

        // Raw bytes: an HTTP client would hide a body sent after a HEAD, which corrupts the next response on the connection.
        using var socket = new System.Net.Sockets.TcpClient();
        await socket.ConnectAsync(server.BaseUrl.Host, server.BaseUrl.Port, Ct);
        var stream = socket.GetStream();
        await stream.WriteAsync("HEAD /health HTTP/1.1\r\nHost: localhost\r\n\r\nGET /health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"u8.ToArray(), Ct);
        using var reader = new StreamReader(stream);
        var answer = await reader.ReadToEndAsync(Ct);

        var second = answer.IndexOf("HTTP/1.1 ", 1, StringComparison.Ordinal);
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer, StringComparison.Ordinal);
        Assert.True(second > 0, answer);
        Assert.EndsWith("\r\n\r\n", answer[..second], StringComparison.Ordinal); // the headers, then at once the next answer
        Assert.StartsWith("HTTP/1.1 200 OK\r\n", answer[second..], StringComparison.Ordinal);
        Assert.Contains("{\"status\":\"alive\"}", answer[second..], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, "Development")]
    [InlineData("test", "Test")]
    public async Task The_host_environment_follows_app_env_even_when_it_comes_from_the_dot_env_file(string? appEnv, string hostEnvironment)
    {
        var directory = Directory.CreateTempSubdirectory("nectr-e2e-cwd-").FullName;
        if (appEnv is not null)
        {
            await File.WriteAllTextAsync(Path.Combine(directory, ".env"), $"APP_ENV={appEnv}\n", Ct);
        }

        await using var server = await NectrProcess.StartAsync(new Dictionary<string, string> { ["LOG_LEVEL"] = "Information" }, Ct, directory);

        // The framework's own line, from the IHostEnvironment in the container: not just the builder's copy.
        Assert.Contains($"Hosting environment: {hostEnvironment}", server.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_database_port_is_refused_naming_database_url_without_the_password()
    {
        var message = await RefusedAsync(Production(("DATABASE_URL", "postgresql://nectr:hunter2secret@db.internal:99999/nectr")));

        Assert.Contains("DATABASE_URL port '99999'", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unreachable_postgres_is_waited_for_then_refused_with_exit_code_2_and_its_address()
    {
        var closedPort = NectrProcess.FreeLoopbackPort();

        var message = await RefusedAsync(Production(
            ("DATABASE_URL", $"postgresql://nectr:hunter2secret@127.0.0.1:{closedPort}/nectr"),
            ("DATABASE_WAIT_SECONDS", "1")));

        Assert.Contains($"DATABASE_URL names PostgreSQL at 127.0.0.1:{closedPort}, which did not accept connections within 1 s", message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", message, StringComparison.Ordinal);
        Assert.Contains("DATABASE_WAIT_SECONDS", message, StringComparison.Ordinal);
        Assert.Contains($"PostgreSQL at 127.0.0.1:{closedPort} (DATABASE_URL) is not reachable: Connection refused", message, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task App_env_prod_runs_as_production_and_refuses_what_production_refuses()
    {
        var message = await RefusedAsync(Production(("APP_ENV", "prod"), ("BACKEND_URL", "http://nectr.example.com")));

        Assert.Contains("APP_ENV=production needs BACKEND_URL", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_app_env_is_refused()
    {
        var message = await RefusedAsync(Production(("APP_ENV", "staging")));

        Assert.Contains("APP_ENV 'staging' is not an environment Nectr knows; use production (or prod), development (or dev), or test", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_refuses_a_19_character_webhook_secret()
    {
        var message = await RefusedAsync(Production(("GITHUB_WEBHOOK_SECRET", "0123456789abcdef012")));

        Assert.Contains("GITHUB_WEBHOOK_SECRET to be at least 20 characters", message, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef012", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_postgres_password_with_semicolon_equals_and_quotes_starts_and_stores_a_delivery()
    {
        var admin = AdminConnectionString();
        var name = "nectr_pw_" + Guid.NewGuid().ToString("N")[..12];
        const string password = "p;w=d'\"x;Host=evil";
        await ExecuteAsync(admin, $"CREATE ROLE {name} LOGIN PASSWORD '{password.Replace("'", "''", StringComparison.Ordinal)}'");
        try
        {
            // PostgreSQL 16 lets a CREATEROLE role give a database to a new role only once it is a member of it.
            await ExecuteAsync(admin, $"GRANT {name} TO CURRENT_USER");
            await ExecuteAsync(admin, $"CREATE DATABASE {name} OWNER {name}");
            var server = new NpgsqlConnectionStringBuilder(admin);
            var url = $"postgresql://{name}:{Uri.EscapeDataString(password)}@{server.Host}:{server.Port}/{name}";
            Assert.Contains("%3B", url, StringComparison.Ordinal);
            Assert.Contains("%3D", url, StringComparison.Ordinal);

            await using (var nectr = await NectrProcess.StartAsync(Production(("DATABASE_URL", url)), Ct))
            {
                using var http = new HttpClient();
                using var accepted = await http.SendAsync(SignedDelivery.Create("pull_request",
                    PullRequestPayload.From("pull_request.opened.json", "octo-org", "ledger", 7, "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d", 5150),
                    E2EDatabase.Secret, baseUrl: nectr.BaseUrl), Ct);
                Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
            }

            var settings = DatabaseSettings.Parse(url);
            await using var db = new PostgresNectrDb(new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql(settings.ConnectionString).Options);
            var delivery = await db.Deliveries.AsNoTracking().SingleAsync(Ct);
            Assert.Equal("pull_request", delivery.Event);
        }
        finally
        {
            NpgsqlConnection.ClearAllPools();
            await ExecuteAsync(admin, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            await ExecuteAsync(admin, $"DROP ROLE IF EXISTS {name}");
        }
    }

    /// <summary>The shared server's admin login, NECTR_TEST_POSTGRES, as a connection string built (not concatenated) from the URL.</summary>
    private static string AdminConnectionString() =>
        DatabaseSettings.Parse(Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES") is { Length: > 0 } url
            ? url
            : throw new InvalidOperationException("NECTR_TEST_POSTGRES is not set; export NECTR_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -n 1).")).ConnectionString;

    private static async Task ExecuteAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(Ct);
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(Ct);
    }
}
