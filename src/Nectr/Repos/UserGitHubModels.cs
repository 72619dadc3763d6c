using System.Text.Json.Serialization;

namespace Nectr.Repos;

// The fields of GitHub's repository and webhook shapes that connecting repositories reads.
internal sealed record GitHubRepository(
    long Id,
    string Name,
    string FullName,
    bool Private,
    GitHubRepositoryOwner? Owner,
    string? HtmlUrl,
    bool Archived,
    GitHubRepositoryPermissions? Permissions,
    string? DefaultBranch = null);

internal sealed record GitHubRepositoryOwner(string Login, long Id);

/// <summary>What the token's user may do on the repository; present on responses to an authenticated user.</summary>
internal sealed record GitHubRepositoryPermissions(bool Admin, bool Push, bool Pull);

internal sealed record GitHubHook(long Id, string? Name, bool Active, IReadOnlyList<string>? Events, GitHubHookConfig? Config);

/// <summary>A webhook's config. GitHub never returns the secret in clear (it answers <c>********</c>).</summary>
internal sealed record GitHubHookConfig(string? Url, string? ContentType, string? InsecureSsl, string? Secret);

/// <summary>The body of POST and PATCH <c>/repos/{owner}/{repo}/hooks</c>; <see cref="Name"/> only on POST.</summary>
internal sealed record GitHubHookRequest(string? Name, bool Active, IReadOnlyList<string> Events, GitHubHookConfig Config);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(List<GitHubRepository>))]
[JsonSerializable(typeof(GitHubRepository))]
[JsonSerializable(typeof(List<GitHubHook>))]
[JsonSerializable(typeof(GitHubHook))]
[JsonSerializable(typeof(GitHubHookRequest))]
internal sealed partial class UserGitHubJsonContext : JsonSerializerContext;
