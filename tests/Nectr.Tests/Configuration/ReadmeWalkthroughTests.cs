using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Nectr.GitHubApp;
using Nectr.Tests.RepoConfig;
using Nectr.Webhooks;

namespace Nectr.Tests.Configuration;

/// <summary>
/// README followed literally for running Nectr as a GitHub App, <c>.nectr.yml</c>, living pull requests and commands:
/// every setting those sections name is one Nectr reads and the Configuration table lists, every file they link
/// exists, and the manifest table says what <c>docs/github-app-manifest.json</c> (kept equal to what the dashboard
/// sends by <c>AppManifestFlowTests</c>) asks for. A rename on either side fails here instead of in a reader's shell.
/// </summary>
public sealed partial class ReadmeWalkthroughTests
{
    private static readonly string[] Sections = ["## Run Nectr as a GitHub App", "## .nectr.yml", "## Reviews on a living pull request", "## Commands"];

    /// <summary>Upper-case words in those sections that are GitHub's terms, not settings.</summary>
    private static readonly string[] NotSettings = ["REQUEST_CHANGES"];

    private static readonly string Readme = File.ReadAllText(Path.Combine(NectrConfigFileTests.RepositoryRoot(), "README.md"));

    [Fact]
    public void Every_setting_the_sections_name_is_read_by_nectr_and_listed_in_the_configuration_table()
    {
        var keys = SettingKeys();
        var configuration = Section("## Configuration");
        var named = Sections.SelectMany(s => SettingName().Matches(Section(s)).Select(m => m.Groups[1].Value))
            .Where(n => !NotSettings.Contains(n))
            .Distinct()
            .ToList();

        Assert.Contains("GITHUB_APP_PRIVATE_KEY_PATH", named); // the pattern finds what it must
        Assert.All(named, name =>
        {
            Assert.True(keys.Contains(name), $"README names {name}, which no option of Nectr reads");
            Assert.True(configuration.Contains($"`{name}`", StringComparison.Ordinal), $"README names {name}, which its Configuration section does not list");
        });
    }

    [Fact]
    public void Every_setting_nectr_reads_is_listed_in_the_configuration_section()
    {
        var keys = SettingKeys();
        var configuration = Section("## Configuration");

        Assert.Contains("MEMORY_MAX_PER_REPOSITORY", keys); // the reflection finds what it must
        var missing = keys.Where(key => !configuration.Contains($"`{key}`", StringComparison.Ordinal)).ToList();
        Assert.True(missing.Count == 0, "README's Configuration section does not list: " + string.Join(", ", missing));
    }

    /// <summary>Every setting an option of Nectr reads (its <see cref="ConfigurationKeyNameAttribute"/>).</summary>
    private static HashSet<string> SettingKeys() => typeof(AppManifest).Assembly.GetTypes()
        .SelectMany(t => t.GetProperties(BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic))
        .Select(p => p.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name)
        .OfType<string>()
        .ToHashSet(StringComparer.Ordinal);

    [Fact]
    public void Every_file_the_readme_links_exists()
    {
        var links = RelativeLink().Matches(Readme).Select(m => m.Groups[1].Value).Distinct().ToList();

        Assert.Contains("docs/nectr.schema.json", links);
        Assert.Contains("docs/github-app-manifest.json", links);
        Assert.All(links, link => Assert.True(File.Exists(Path.Combine(NectrConfigFileTests.RepositoryRoot(), link)), $"README links {link}, which does not exist"));
    }

    [Fact]
    public void The_manifest_table_says_what_the_published_manifest_asks_for()
    {
        var section = Section("## Run Nectr as a GitHub App");
        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(NectrConfigFileTests.RepositoryRoot(), "docs", "github-app-manifest.json")));
        var root = manifest.RootElement;

        // "pull requests: read and write · contents: read · …" → pull_requests=write, contents=read, …
        var permissions = Row(section, "Permissions").Split('·', StringSplitOptions.TrimEntries)
            .Select(p => p.Split(':', StringSplitOptions.TrimEntries))
            .ToDictionary(p => p[0].Replace(' ', '_'), p => p[1] == "read and write" ? "write" : p[1]);
        var published = root.GetProperty("default_permissions").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
        Assert.Equal(published.OrderBy(p => p.Key), permissions.OrderBy(p => p.Key)!);

        // The events asked for come before the ';' (installation events come to every App without asking).
        var events = Row(section, "Events").Split(';')[0];
        Assert.Equal(root.GetProperty("default_events").EnumerateArray().Select(e => e.GetString()!).Order(),
            Backticked().Matches(events).Select(m => m.Groups[1].Value).Order());

        Assert.Contains($"`{{BACKEND_URL}}{WebhookEndpoints.Path}`", Row(section, "Webhook URL"), StringComparison.Ordinal);
        Assert.Contains($"`{{BACKEND_URL}}{AppManifest.CallbackPath}`", Row(section, "Redirect URL"), StringComparison.Ordinal);
        Assert.StartsWith("no", Row(section, "Public"), StringComparison.Ordinal);
        Assert.False(root.GetProperty("public").GetBoolean());
        Assert.Contains("(`/settings/github-app`)", section, StringComparison.Ordinal);
    }

    private static string Section(string heading)
    {
        var start = Readme.IndexOf("\n" + heading + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"README has no section {heading}");
        var end = Readme.IndexOf("\n## ", start + heading.Length + 1, StringComparison.Ordinal);
        return end < 0 ? Readme[start..] : Readme[start..end];
    }

    /// <summary>The second cell of the table row whose first cell is <paramref name="name"/>.</summary>
    private static string Row(string section, string name)
    {
        var line = section.Split('\n').SingleOrDefault(l => l.StartsWith($"| {name} |", StringComparison.Ordinal));
        Assert.True(line is not null, $"README's manifest table has no row {name}");
        return line[$"| {name} |".Length..].TrimEnd().TrimEnd('|').Trim();
    }

    [GeneratedRegex(@"`([A-Z][A-Z0-9]*_[A-Z0-9_]+)(?:=[^`]*)?`")]
    private static partial Regex SettingName();

    [GeneratedRegex(@"\]\(((?:docs|bench|scripts|src|tests)/[^)#\s]+)")]
    private static partial Regex RelativeLink();

    [GeneratedRegex("`([a-z_]+)`")]
    private static partial Regex Backticked();
}
