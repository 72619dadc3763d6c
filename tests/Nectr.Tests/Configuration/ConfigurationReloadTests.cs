using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Configuration;

/// <summary>
/// Settings are read once, at start-up. ASP.NET's default would reload <c>appsettings.json</c> on change, and its
/// watcher covers the whole working directory, where the SQLite database lives by default: every write of every
/// webhook woke it (issue #13 measured a thread at 4–10 % of the CPU under intake load).
/// </summary>
public sealed class ConfigurationReloadTests
{
    [Fact]
    public async Task No_configuration_file_is_watched_for_changes()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        _ = app.Services; // builds the host through Program.Main

        AssertNothingWatched(app.Services);
    }

    /// <summary><c>nectr review</c> runs in a repository: a watcher there would cover the repository's whole tree.</summary>
    [Fact]
    public void The_command_lines_host_watches_no_configuration_file_either()
    {
        using var host = Nectr.Cli.CliHost.ForDatabase();

        AssertNothingWatched(host.Services);
    }

    private static void AssertNothingWatched(IServiceProvider services)
    {
        var root = Assert.IsAssignableFrom<IConfigurationRoot>(services.GetRequiredService<IConfiguration>());
        var files = root.Providers.OfType<FileConfigurationProvider>().ToList();

        Assert.Contains(files, f => f.Source is JsonConfigurationSource { Path: "appsettings.json" });
        Assert.All(files, f => Assert.False(f.Source.ReloadOnChange, $"{f.Source.Path} is watched for changes"));
    }
}
