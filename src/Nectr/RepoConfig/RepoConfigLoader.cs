using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.RepoConfig;

/// <summary>
/// Loads a repository's <see cref="EffectiveConfig"/>: <c>.nectr.yml</c> read from the default branch
/// (<c>GET /repos/{o}/{r}/contents/.nectr.yml?ref={default_branch}</c>, never the PR head) and the dashboard's overrides.
/// One GitHub call per job; the ETag cache turns an unchanged file into a 304, which GitHub does not count against the
/// rate limit, and the parsed result is kept per repository and content hash, so a busy repository neither downloads
/// nor parses it again on every push. Without a database (the command line) there are no dashboard overrides.
/// </summary>
internal sealed partial class RepoConfigLoader(
    IGitHubApi github,
    IOptions<ReviewOptions> review,
    ParsedConfigCache parsed,
    ILogger<RepoConfigLoader> logger,
    IDbContextFactory<NectrDb>? dbs = null)
{
    /// <summary>The settings for a review of <paramref name="pr"/>: its base repository's default branch names the ref.</summary>
    public async Task<EffectiveConfig> LoadAsync(string owner, string repo, GitHubPullRequest pr, CancellationToken cancellationToken) =>
        await LoadAsync(owner, repo, pr.Base.Repo?.DefaultBranch ?? (await github.GetRepositoryInfoAsync(owner, repo, cancellationToken)).DefaultBranch, cancellationToken);

    public async Task<EffectiveConfig> LoadAsync(string owner, string repo, string defaultBranch, CancellationToken cancellationToken)
    {
        var file = await github.GetFileTextAsync(owner, repo, NectrConfigFile.Path, defaultBranch, NectrConfigFile.MaxBytes, cancellationToken);
        var result = file switch
        {
            null => ConfigFileResult.Valid(RepoSettings.Empty),
            { Size: > NectrConfigFile.MaxBytes } => ConfigFileResult.Invalid($"is larger than {NectrConfigFile.MaxBytes / 1024} KB"),
            { Text: null } => ConfigFileResult.Invalid("is not UTF-8 text"),
            { Text: { } text } => parsed.GetOrParse($"{owner}/{repo}", text),
        };
        var problem = result.Problem is null ? null : $"{NectrConfigFile.Path} on {defaultBranch} {result.Problem}";
        if (problem is not null)
        {
            Log.Invalid(logger, owner, repo, defaultBranch);
        }

        var dashboard = dbs is null ? null : await DashboardAsync($"{owner}/{repo}", cancellationToken);
        return EffectiveConfig.Resolve(result.Settings, dashboard, review.Value, problem, defaultBranch);
    }

    /// <summary>The dashboard's overrides, or null; a stored value that no longer fits the schema counts as none.</summary>
    public async Task<RepoSettings?> DashboardAsync(string fullName, CancellationToken cancellationToken)
    {
        await using var db = await dbs!.CreateDbContextAsync(cancellationToken);
        var json = await db.Repositories.Where(r => r.FullName == fullName).Select(r => r.SettingsOverridesJson).FirstOrDefaultAsync(cancellationToken);
        if (json is null)
        {
            return null;
        }

        try
        {
            return NectrConfigFile.Check(JsonNode.Parse(json)).Settings;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, ".nectr.yml of {Owner}/{Repo} on {Branch} is invalid; the defaults are used")]
        public static partial void Invalid(ILogger logger, string owner, string repo, string branch);
    }
}

/// <summary>Parsed <c>.nectr.yml</c> per repository, keyed by the text's hash: one entry per repository, replaced when the file changes.</summary>
internal sealed class ParsedConfigCache
{
    private const int MaxRepositories = 1_000;

    private readonly ConcurrentDictionary<string, (string Hash, ConfigFileResult Result)> _entries = new(StringComparer.OrdinalIgnoreCase);

    public ConfigFileResult GetOrParse(string repository, string text)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        if (_entries.TryGetValue(repository, out var entry) && entry.Hash == hash)
        {
            return entry.Result;
        }

        var result = NectrConfigFile.Parse(text);
        if (_entries.Count >= MaxRepositories)
        {
            _entries.Clear();
        }

        _entries[repository] = (hash, result);
        return result;
    }
}
