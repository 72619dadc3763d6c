using System.Net;

namespace Nectr.GitHub;

/// <summary>GitHub answered with an error status. <see cref="IsTransient"/> says whether trying later can help.</summary>
internal sealed class GitHubApiException(HttpStatusCode status, string method, string path, string? gitHubMessage)
    : Exception($"GitHub answered {(int)status} {status} to {method} {path}{(gitHubMessage is null ? "" : $": {gitHubMessage}")}")
{
    public HttpStatusCode Status { get; } = status;

    /// <summary>Trying again cannot help, whatever the status says (GitHub's answer itself was unusable).</summary>
    public bool Permanent { get; init; }

    public bool IsTransient => !Permanent && ((int)Status >= 500 || Status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests);
}

/// <summary>
/// GitHub's rate limit is exhausted until <see cref="Until"/>: the job waits, it has not failed.
/// <see cref="SecondaryInARow"/> counts GitHub's secondary-limit refusals in a row when this request was one of them (0 otherwise).
/// </summary>
internal sealed class GitHubRateLimitedException(DateTimeOffset until, int secondaryInARow = 0)
    : Exception(secondaryInARow > 0
        ? $"GitHub's secondary rate limit refused the request ({secondaryInARow} in a row); requests resume at {until:u}."
        : $"GitHub rate limit reached; requests resume at {until:u}.")
{
    public DateTimeOffset Until { get; } = until;

    public int SecondaryInARow { get; } = secondaryInARow;
}

/// <summary>No GitHub token can be found; the message names both fixes.</summary>
internal sealed class GitHubTokenUnavailableException(string message) : Exception(message);

/// <summary>What a log line needs from a failure of a GitHub call.</summary>
internal static class GitHubFailures
{
    /// <summary>
    /// Failures whose message is the whole story (GitHub's answer, its rate limit, a missing token, an answer cut
    /// short): a log line carries the message alone. Any other exception keeps its stack trace, which is what a bug
    /// report needs.
    /// </summary>
    public static bool SpeakForThemselves(Exception ex) =>
        ex is GitHubApiException or GitHubRateLimitedException or GitHubTokenUnavailableException or GitHubIncompleteAnswerException;

    /// <summary>The exception to attach to a log line that already says <c>ex.Message</c>: null when that is the whole story.</summary>
    public static Exception? TraceOf(Exception ex) => SpeakForThemselves(ex) ? null : ex;
}
