using Npgsql;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// A database owned by one test: a fresh SQLite file, or a fresh database on the PostgreSQL server that
/// <c>./test.sh</c> starts (NECTR_TEST_POSTGRES). Dropped on dispose, so no test sees another's rows.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private readonly string? _directory;
    private readonly string? _postgresName;

    private TestDatabase(string provider, string url, string? directory, string? postgresName)
    {
        Provider = provider;
        Url = url;
        _directory = directory;
        _postgresName = postgresName;
    }

    public string Provider { get; }

    /// <summary>The DATABASE_URL to give Nectr.</summary>
    public string Url { get; }

    public static TheoryData<string> Providers => new() { "sqlite", "postgres" };

    public static async Task<TestDatabase> CreateAsync(string provider)
    {
        if (provider == "sqlite")
        {
            var directory = Directory.CreateTempSubdirectory("nectr-test-").FullName;
            return new TestDatabase(provider, "sqlite:///" + Path.Combine(directory, "nectr.db"), directory, null);
        }

        var server = PostgresServerUrl();
        var name = "nectr_t_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(ToConnectionString(server)))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE {name}", admin);
            await create.ExecuteNonQueryAsync();
        }

        var builder = new UriBuilder(server) { Path = "/" + name };
        return new TestDatabase(provider, builder.Uri.ToString(), null, name);
    }

    public async ValueTask DisposeAsync()
    {
        if (_directory is not null)
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(_directory, recursive: true);
            }
            catch (IOException)
            {
                // A process under test may still hold the file for a moment; the temp folder is cleaned by the OS.
            }
        }

        if (_postgresName is not null)
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(ToConnectionString(PostgresServerUrl()));
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS {_postgresName} WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        }
    }

    /// <summary>Opens a raw connection string for assertions that read tables directly.</summary>
    public string ConnectionString => _postgresName is not null
        ? ToConnectionString(new Uri(Url))
        : $"Data Source={Path.Combine(_directory!, "nectr.db")}";

    private static Uri PostgresServerUrl()
    {
        var url = Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES");
        if (string.IsNullOrEmpty(url))
        {
            throw new InvalidOperationException(
                "NECTR_TEST_POSTGRES is not set. Run the tests with ./test.sh, which starts PostgreSQL and sets it, " +
                "or export NECTR_TEST_POSTGRES=$(scripts/ensure-postgres.sh | tail -n 1).");
        }

        return new Uri(url);
    }

    private static string ToConnectionString(Uri url)
    {
        var user = url.UserInfo.Split(':', 2);
        // Built, not concatenated: a ';' or '=' in the password must stay in the password.
        return new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Database = url.AbsolutePath.Trim('/'),
            Username = Uri.UnescapeDataString(user[0]),
            Password = Uri.UnescapeDataString(user.ElementAtOrDefault(1) ?? ""),
            Pooling = false,
        }.ConnectionString;
    }
}
