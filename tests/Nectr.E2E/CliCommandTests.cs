using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>The <c>nectr</c> commands besides review (<c>migrate</c>, <c>version</c>) and what the library gives all of them.</summary>
public sealed class CliCommandTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Migrate_creates_every_table_of_a_fresh_database_and_a_second_run_changes_nothing(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var settings = new Dictionary<string, string> { ["APP_ENV"] = "test", ["DATABASE_URL"] = database.Url };

        var first = await NectrCli.RunCommandAsync(["migrate"], settings, Ct);
        var afterFirst = await E2EDatabase.QueryAsync(database, db => db.Database.GetAppliedMigrationsAsync(Ct));
        var second = await NectrCli.RunCommandAsync(["migrate"], settings, Ct);

        Assert.True(first.ExitCode == 0, first.Stderr);
        await using var db = E2EDatabase.Open(database);
        Assert.Equal(db.Database.GetMigrations(), afterFirst);
        Assert.Contains($"Applied {afterFirst.Count()} migration(s) to ", first.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, await db.ReviewJobs.CountAsync(Ct)); // the tables exist
        Assert.Equal(0, await db.Deliveries.CountAsync(Ct));
        Assert.True(second.ExitCode == 0, second.Stderr);
        Assert.Contains("is up to date; no migration to apply.", second.Stdout, StringComparison.Ordinal);
        Assert.Equal(afterFirst, await db.Database.GetAppliedMigrationsAsync(Ct));
    }

    [Fact]
    public async Task Migrate_against_an_unreachable_postgres_exits_2_with_its_address_and_the_fix()
    {
        var closedPort = NectrProcess.FreeLoopbackPort();

        var run = await NectrCli.RunCommandAsync(["migrate"], new Dictionary<string, string>
        {
            ["APP_ENV"] = "test",
            ["DATABASE_URL"] = $"postgresql://nectr:hunter2secret@127.0.0.1:{closedPort}/nectr",
            ["DATABASE_WAIT_SECONDS"] = "1",
        }, Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"Nectr cannot migrate: DATABASE_URL names PostgreSQL at 127.0.0.1:{closedPort}, which did not accept connections within 1 s", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("Check that PostgreSQL is running", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2secret", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Version_prints_the_informational_version()
    {
        var expected = typeof(Nectr.Cli.NectrCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()!.InformationalVersion;

        var run = await NectrCli.RunCommandAsync(["version"], new Dictionary<string, string>(), Ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(expected + "\n", run.Stdout);
        Assert.StartsWith("0.1.0", expected, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_mistyped_command_suggests_the_command_instead_of_starting_the_server()
    {
        var run = await NectrCli.RunCommandAsync(["reveiw", "--diff", "-"], new Dictionary<string, string>(), Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'reveiw' was not matched. Did you mean one of the following?\nreview", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Completion_offers_the_options_that_match_what_was_typed()
    {
        // What dotnet-suggest asks a System.CommandLine program for on each Tab: [suggest:CURSOR] "the command line".
        var run = await NectrCli.RunCommandAsync(["[suggest:11]", "review --fo"], new Dictionary<string, string>(), Ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Equal(["--format"], run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
