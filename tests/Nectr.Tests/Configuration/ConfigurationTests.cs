using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

public sealed class ConfigurationTests
{
    private static StartupOptions Load(params (string Key, string Value)[] values) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    [Fact]
    public void Defaults_match_the_documented_ones()
    {
        var options = Load();

        Assert.Equal(8000, options.Hosting.ListenPort);
        Assert.Equal(DatabaseProvider.Sqlite, options.Database.Connection.Provider);
        Assert.EndsWith("nectr.db", new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(options.Database.Connection.ConnectionString).DataSource, StringComparison.Ordinal);
        Assert.Equal(new Uri("https://api.github.com/"), options.GitHub.ApiUrl);
        Assert.Equal(4, options.Jobs.Concurrency);
        Assert.False(options.Review.ReviewDrafts);
    }

    [Theory]
    [InlineData("sqlite:///data/nectr.db", "/data/nectr.db", false)]
    [InlineData("sqlite:////var/lib/nectr/nectr.db", "/var/lib/nectr/nectr.db", true)]
    [InlineData("sqlite+aiosqlite:///nectr.db", "/nectr.db", false)]
    public void Sqlite_urls_follow_the_original_Nectr_forms(string url, string pathSuffix, bool absolute)
    {
        var settings = DatabaseSettings.Parse(url);

        Assert.Equal(DatabaseProvider.Sqlite, settings.Provider);
        var path = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource;
        Assert.EndsWith(pathSuffix, path, StringComparison.Ordinal);
        if (absolute)
        {
            Assert.Equal(pathSuffix, path);
        }
        else
        {
            Assert.StartsWith(Directory.GetCurrentDirectory(), path, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("postgresql://nectr:p%40ss@db.internal:6543/reviews?sslmode=require")]
    [InlineData("postgres://nectr:p%40ss@db.internal:6543/reviews?sslmode=require")]
    [InlineData("postgresql+asyncpg://nectr:p%40ss@db.internal:6543/reviews?sslmode=require")]
    public void Postgres_urls_become_npgsql_connection_strings(string url)
    {
        var settings = DatabaseSettings.Parse(url);

        Assert.Equal(DatabaseProvider.Postgres, settings.Provider);
        var parsed = new Npgsql.NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(("db.internal", 6543, "reviews", "nectr", "p@ss", Npgsql.SslMode.Require),
            (parsed.Host, parsed.Port, parsed.Database, parsed.Username, parsed.Password, parsed.SslMode));
        Assert.DoesNotContain("p@ss", settings.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_bad_value_is_reported_at_once_with_its_fix()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(
            ("PORT", "eighty"),
            ("DATABASE_URL", "mysql://x@y/z"),
            ("REVIEW_CONCURRENCY", "-1"),
            ("GITHUB_API_URL", "not a url"),
            ("REVIEW_DRAFTS", "maybe")));

        Assert.Equal(5, error.Problems.Count);
        Assert.Contains(error.Problems, p => p.StartsWith("PORT 'eighty' must be a whole number", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("postgresql://user:password@host:5432/nectr", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("REVIEW_CONCURRENCY", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("GITHUB_API_URL", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("REVIEW_DRAFTS 'maybe' must be true or false", StringComparison.Ordinal));
    }

    [Fact]
    public void Production_refuses_a_missing_webhook_secret_and_a_plain_http_backend_url()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("APP_ENV", "production"), ("BACKEND_URL", "http://nectr.example.com")));

        Assert.Contains(error.Problems, p => p.Contains("GITHUB_WEBHOOK_SECRET", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.Contains("BACKEND_URL", StringComparison.Ordinal) && p.Contains("https://", StringComparison.Ordinal));
    }

    [Fact]
    public void Production_accepts_a_complete_safe_configuration()
    {
        var options = Load(("APP_ENV", "production"), ("BACKEND_URL", "https://nectr.example.com"), ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef0123"), ("AUTH_ALLOWED_USERS", "octocat"),
            ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true"));

        Assert.True(options.Hosting.IsProduction);
    }

    [Fact]
    public void Github_enterprise_api_url_keeps_its_path()
    {
        var options = Load(("GITHUB_API_URL", "https://ghe.example.com/api/v3"));

        Assert.Equal("https://ghe.example.com/api/v3/repos/o/r", new Uri(options.GitHub.ApiUrl, "repos/o/r").ToString());
    }

    [Fact]
    public void Dotenv_is_below_the_real_environment_and_above_appsettings()
    {
        var directory = Directory.CreateTempSubdirectory("nectr-env-").FullName;
        var dotenv = Path.Combine(directory, ".env");
        File.WriteAllLines(dotenv,
        [
            "# comment",
            "export PORT=9001",
            "LOG_LEVEL=\"Debug\"",
            "GITHUB_WEBHOOK_SECRET='from-dotenv' # trailing text stays inside quotes",
            "REVIEW_CONCURRENCY=3 # a comment",
        ]);
        var variable = "NECTR_TEST_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable + "PORT", "9002");
        try
        {
            var builder = new ConfigurationBuilder()
                .AddInMemoryCollection([new("PORT", "9000"), new("LOG_LEVEL", "Warning"), new("REVIEW_DRAFTS", "true")])
                .AddEnvironmentVariables(variable); // stands for the real environment (prefixed so tests do not interfere)
            builder.Sources.Insert(1, new DotEnvConfigurationSource(dotenv));
            var options = NectrConfiguration.Load(builder.Build());

            Assert.Equal(9002, options.Hosting.ListenPort);                       // environment wins over .env
            Assert.Equal("Debug", options.Hosting.LogLevel);                // .env wins over appsettings
            Assert.True(options.Review.ReviewDrafts);                // appsettings fills the rest
            Assert.Equal(3, options.Jobs.Concurrency);
            Assert.Equal("from-dotenv", options.Webhooks.Secret);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable + "PORT", null);
            Directory.Delete(directory, true);
        }
    }

    [Fact]
    public void Dotenv_source_is_inserted_just_below_the_unprefixed_environment_source()
    {
        var builder = new ConfigurationBuilder().AddInMemoryCollection().AddEnvironmentVariables().AddCommandLine([]);

        DotEnvConfigurationSource.InsertBelowEnvironment(builder, "/nonexistent/.env");

        Assert.IsType<DotEnvConfigurationSource>(builder.Sources[1]);
        Assert.IsType<Microsoft.Extensions.Configuration.EnvironmentVariables.EnvironmentVariablesConfigurationSource>(builder.Sources[2]);
    }
}
