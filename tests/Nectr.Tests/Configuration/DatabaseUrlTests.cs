using Microsoft.Extensions.Configuration;
using Nectr.Configuration;
using Npgsql;

namespace Nectr.Tests.Configuration;

/// <summary>DATABASE_URL errors name the variable and the accepted forms and never repeat the password; values are quoted, not concatenated.</summary>
public sealed class DatabaseUrlTests
{
    private static InvalidConfigurationException Refused(string url) =>
        Assert.Throws<InvalidConfigurationException>(() => NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection([new("DATABASE_URL", url)]).Build()));

    [Theory]
    [InlineData("postgresql://nectr:hunter2secret@db.internal:99999/nectr", "99999")]
    [InlineData("postgresql://nectr:hunter2secret@db.internal:abc/nectr", "abc")]
    [InlineData("postgres://nectr:hunter2secret@db.internal:0/nectr", "0")]
    public void A_bad_port_names_database_url_the_port_and_the_accepted_forms_without_the_password(string url, string port)
    {
        var problem = Assert.Single(Refused(url).Problems);

        Assert.StartsWith($"DATABASE_URL port '{port}'", problem, StringComparison.Ordinal);
        Assert.Contains("postgresql://user:password@host:5432/nectr", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("Invalid URI", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_without_an_at_sign_is_not_read_as_a_port_or_repeated()
    {
        var problem = Assert.Single(Refused("postgresql://nectr:hunter2secret/nectr").Problems);

        Assert.StartsWith("DATABASE_URL has a ':' but no '@'", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unknown_sslmode_names_database_url_and_the_accepted_modes()
    {
        var problem = Assert.Single(Refused("postgresql://nectr:pw@db:5432/nectr?sslmode=sometimes").Problems);

        Assert.Contains("DATABASE_URL sslmode 'sometimes'", problem, StringComparison.Ordinal);
        Assert.Contains("verify-full", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("p%3Bw%3Dd", "p;w=d")]
    [InlineData("a%27b%22c%3BHost%3Devil", "a'b\"c;Host=evil")]
    [InlineData("sp%20ace%3A%40%2F", "sp ace:@/")]
    public void A_password_with_separators_and_quotes_stays_one_password(string encoded, string password)
    {
        var settings = DatabaseSettings.Parse($"postgresql://nectr:{encoded}@db.internal:5432/reviews");

        var parsed = new NpgsqlConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(password, parsed.Password);
        Assert.Equal("db.internal", parsed.Host);
        Assert.Equal("reviews", parsed.Database);
        Assert.Equal("db.internal:5432", settings.Endpoint);
        Assert.DoesNotContain(password, settings.Display, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sqlite_path_with_a_semicolon_stays_one_path()
    {
        var directory = Directory.CreateTempSubdirectory("nectr-semi;colon=").FullName;

        var settings = DatabaseSettings.Parse("sqlite:///" + Path.Combine(directory, "nectr.db"));

        Assert.Equal(Path.Combine(directory, "nectr.db"), new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(settings.ConnectionString).DataSource);
        Directory.Delete(directory);
    }
}
