using System.Net;
using Nectr.GitHub;

namespace Nectr.Tests.GitHub;

/// <summary>
/// Which failures a log line carries as a stack trace: GitHub's own answers and a missing token say everything in
/// their message, so the line (which includes it) stands alone; a network error or anything unexpected keeps its trace.
/// </summary>
public sealed class GitHubFailuresTests
{
    public static TheoryData<Exception> SpeakForThemselves => new()
    {
        new GitHubApiException(HttpStatusCode.NotFound, "GET", "repos/acme/app/pulls/1", "Not Found"),
        new GitHubApiException(HttpStatusCode.BadGateway, "GET", "repos/acme/app/pulls/1", null),
        new GitHubRateLimitedException(DateTimeOffset.UnixEpoch),
        new GitHubTokenUnavailableException("No GitHub token: set GITHUB_PAT"),
        new GitHubIncompleteAnswerException("GitHub listed 3,001 files"),
    };

    public static TheoryData<Exception> NeedTheirTrace => new()
    {
        new HttpRequestException("Connection refused (api.github.com:443)"),
        new TaskCanceledException("The request was canceled due to the configured HttpClient.Timeout of 100 seconds elapsing."),
        new InvalidOperationException("a bug"),
        new System.Text.Json.JsonException("'<' is an invalid start of a value."),
    };

    [Theory]
    [MemberData(nameof(SpeakForThemselves))]
    public void GitHubs_answers_and_a_missing_token_are_logged_without_a_trace(Exception failure) =>
        Assert.Null(GitHubFailures.TraceOf(failure));

    [Theory]
    [MemberData(nameof(NeedTheirTrace))]
    public void Network_errors_and_anything_unexpected_keep_their_trace(Exception failure) =>
        Assert.Same(failure, GitHubFailures.TraceOf(failure));
}
