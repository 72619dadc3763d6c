using System.Text.Json.Serialization;

namespace Nectr.GitHub;

// The few fields of GitHub's REST shapes that Nectr reads; everything else in a response is ignored.
internal sealed record GitHubUser(string Login, long Id, string? Type);

internal sealed record GitHubRepoRef(long Id, string FullName, string? DefaultBranch = null);

internal sealed record GitHubBranchRef(string Sha, string Ref, GitHubRepoRef? Repo);

internal sealed record GitHubPullRequest(
    int Number,
    string State,
    bool Draft,
    string Title,
    string? Body,
    GitHubBranchRef Head,
    GitHubBranchRef Base,
    int ChangedFiles,
    bool? Merged,
    string HtmlUrl,
    GitHubUser? User,
    DateTimeOffset? MergedAt = null,
    DateTimeOffset? UpdatedAt = null);

internal sealed record GitHubPullRequestFile(
    string Filename,
    string Status,
    int Additions,
    int Deletions,
    string? Patch,
    string? PreviousFilename);

internal sealed record GitHubReview(long Id, string? Body, string? State, string? CommitId, string? HtmlUrl, GitHubUser? User);

internal sealed record CreateReviewComment(string Path, int Line, string Side, int? StartLine, string? StartSide, string Body);

internal sealed record CreateReviewRequest(string CommitId, string Body, string Event, IReadOnlyList<CreateReviewComment> Comments);

internal sealed record GitHubError(string? Message, string? DocumentationUrl);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GitHubPullRequest))]
[JsonSerializable(typeof(List<GitHubPullRequestFile>))]
[JsonSerializable(typeof(List<GitHubReview>))]
[JsonSerializable(typeof(GitHubReview))]
[JsonSerializable(typeof(CreateReviewRequest))]
[JsonSerializable(typeof(GitHubError))]
internal sealed partial class GitHubJsonContext : JsonSerializerContext;
