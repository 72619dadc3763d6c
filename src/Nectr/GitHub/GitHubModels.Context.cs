using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nectr.GitHub;

// The fields of GitHub's issue, commit, contents, tree and repository shapes that the review's context reads.

internal sealed record GitHubLabel(string Name);

/// <summary>GitHub's issue; the issues API lists pull requests too, marked by <see cref="PullRequest"/>.</summary>
internal sealed record GitHubIssue(
    int Number,
    string Title,
    string? Body,
    string State,
    GitHubUser? User,
    IReadOnlyList<GitHubLabel>? Labels,
    DateTimeOffset? UpdatedAt,
    DateTimeOffset? ClosedAt,
    GitHubIssuePullRequest? PullRequest = null)
{
    [JsonIgnore]
    public bool IsPullRequest => PullRequest is not null;
}

/// <summary>Present on an issues-API item that is a pull request.</summary>
internal sealed record GitHubIssuePullRequest(string? Url);

internal sealed record GitHubCommitDetail(string Message);

internal sealed record GitHubCommit(string Sha, GitHubCommitDetail Commit);

/// <summary>One entry of the contents API: a file carries its base64 content (empty above 1 MB, encoding <c>none</c>).</summary>
internal sealed record GitHubContent(string Type, string Path, long Size, string? Content, string? Encoding, string? Sha);

internal sealed record GitHubTreeEntry(string Path, string Type, long? Size, string? Sha);

/// <summary>A git tree; <see cref="Truncated"/> when GitHub cut a recursive listing at its limit.</summary>
internal sealed record GitHubTree(string Sha, IReadOnlyList<GitHubTreeEntry> Tree, bool Truncated);

/// <summary>The repository fields the context reads (the default branch for a scan at it).</summary>
internal sealed record GitHubRepositoryInfo(long Id, string FullName, string DefaultBranch);

/// <summary>One page of a paginated list, and whether GitHub links a next one.</summary>
internal sealed record GitHubPage<T>(IReadOnlyList<T> Items, bool HasNext);

/// <summary>A text file read through the contents API at a ref; <see cref="Text"/> is null when the file is too big or not UTF-8 text.</summary>
internal sealed record GitHubFileText(string Path, long Size, string? Text);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GitHubIssue))]
[JsonSerializable(typeof(List<GitHubIssue>))]
[JsonSerializable(typeof(List<GitHubCommit>))]
[JsonSerializable(typeof(List<GitHubPullRequest>))]
[JsonSerializable(typeof(GitHubContent))]
[JsonSerializable(typeof(GitHubTree))]
[JsonSerializable(typeof(GitHubRepositoryInfo))]
[JsonSerializable(typeof(JsonDocument))]
internal sealed partial class GitHubContextJsonContext : JsonSerializerContext;
