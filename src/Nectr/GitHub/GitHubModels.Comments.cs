using System.Text.Json.Serialization;

namespace Nectr.GitHub;

// The fields of GitHub's issue-comment shape that the sticky summary reads, and the bodies of its writes.
internal sealed record GitHubIssueComment(long Id, string? Body, GitHubUser? User, string? HtmlUrl);

internal sealed record IssueCommentRequest(string Body);

internal sealed record DismissReviewRequest(string Message, string Event);

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GitHubIssueComment))]
[JsonSerializable(typeof(List<GitHubIssueComment>))]
[JsonSerializable(typeof(IssueCommentRequest))]
[JsonSerializable(typeof(DismissReviewRequest))]
internal sealed partial class GitHubCommentsJsonContext : JsonSerializerContext;
