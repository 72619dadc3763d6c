using System.Net;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Engine.Context;
using Nectr.GitHub;

namespace Nectr.Issues;

/// <summary>
/// A linked issue as GitHub returned it, with its state and body (bounded) for the prompt. Untrusted text. An issue of
/// another repository is not read: its state is <see cref="NotRead"/> and its body empty.
/// </summary>
internal sealed record LinkedIssueDetails(LinkedIssue Issue, string State, string Body)
{
    public const string NotRead = "not read";
}

/// <summary>
/// The pull request's linked issues: <see cref="References"/> are all the references found (at most
/// <see cref="IssueReferences.MaxReferences"/>), <see cref="Issues"/> those GitHub returned as issues, in the same order.
/// <see cref="Missing"/> says what could not be read, or is null when nothing failed.
/// </summary>
internal sealed record LinkedIssuesResult(IReadOnlyList<IssueReference> References, IReadOnlyList<LinkedIssueDetails> Issues, string? Missing)
{
    public IReadOnlyList<LinkedIssue> Linked => [.. Issues.Select(i => i.Issue)];

    /// <summary>The messages of the PR's commits that were read (the first 100), oldest first: the prompt shows them too.</summary>
    public IReadOnlyList<string> CommitMessages { get; init; } = [];
}

/// <summary>
/// Finds the issues a pull request closes (closing keywords in its title, description and commit messages) and reads
/// each from GitHub: one call for the commits, one per linked issue, at most <see cref="IssueReferences.MaxReferences"/>.
/// An issue of another repository is listed but never read: Nectr's token may see a private repository that the pull
/// request's readers cannot, and its text must not reach them through a review. Every failure is a value: the commits failing still
/// lets the title's and description's references through, an issue that cannot be read is named in
/// <see cref="LinkedIssuesResult.Missing"/>, and a reference that is a pull request is left out. Only the caller's
/// cancellation is thrown.
/// </summary>
internal sealed partial class LinkedIssueFetcher(IGitHubApi github, IOptions<GitHubOptions> options, ILogger<LinkedIssueFetcher> logger)
{
    /// <summary>Characters of a linked issue's body kept for the prompt.</summary>
    public const int MaxBodyChars = 4_000;

    private const int MaxTitleChars = 500;

    /// <summary>What stands for the title of an issue in another repository, which is not read.</summary>
    internal const string OtherRepository = "(in another repository; not read)";

    public async Task<LinkedIssuesResult> FetchAsync(string owner, string repo, int pullNumber, string title, string? body, CancellationToken cancellationToken)
    {
        var missing = new List<string>();
        IReadOnlyList<GitHubCommit> commits = [];
        try
        {
            commits = await github.ListPullRequestCommitsAsync(owner, repo, pullNumber, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.CommitsUnread(logger, GitHubFailures.TraceOf(ex), owner, repo, pullNumber, ex.Message);
            missing.Add($"commit messages not read ({Why(ex)})");
        }

        var references = IssueReferences.Find(owner, repo, [title, body, .. commits.Select(c => c.Commit?.Message)], options.Value.WebUrl.ToString());
        var issues = new List<LinkedIssueDetails>(references.Count);
        foreach (var reference in references)
        {
            var name = reference.ShortForm(owner, repo);
            if (!reference.IsIn(owner, repo))
            {
                // Nectr's token may see private repositories the PR's readers cannot: an issue elsewhere is named, never read.
                issues.Add(new LinkedIssueDetails(new LinkedIssue(reference, OtherRepository), LinkedIssueDetails.NotRead, ""));
                continue;
            }

            try
            {
                var issue = await github.GetIssueAsync(reference.Owner, reference.Repo, reference.Number, cancellationToken);
                if (!issue.IsPullRequest)
                {
                    issues.Add(new LinkedIssueDetails(new LinkedIssue(reference, IssueText.Storable(issue.Title, MaxTitleChars)),
                        issue.State, IssueText.Storable(issue.Body, MaxBodyChars)));
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                Log.IssueUnread(logger, GitHubFailures.TraceOf(ex), owner, repo, pullNumber, name, ex.Message);
                missing.Add(ex is GitHubApiException { Status: HttpStatusCode.NotFound } ? $"issue {name} not found" : $"issue {name} not read ({Why(ex)})");
            }
        }

        return new LinkedIssuesResult(references, issues, missing.Count == 0 ? null : string.Join("; ", missing))
        {
            CommitMessages = [.. commits.Select(c => c.Commit?.Message).OfType<string>()],
        };
    }

    /// <summary>A short reason for the coverage note: the status GitHub gave, or the kind of failure (never a message that could carry a URL or token).</summary>
    private static string Why(Exception ex) => ex switch
    {
        GitHubApiException api => $"GitHub {(int)api.Status}",
        GitHubRateLimitedException => "GitHub rate limit",
        HttpRequestException or IOException => "GitHub unreachable",
        OperationCanceledException => "GitHub timed out",
        _ => "unexpected error",
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read the commits of {Owner}/{Repo}#{Number} for linked issues; references in the title and description still count: {Reason}")]
        public static partial void CommitsUnread(ILogger logger, Exception? exception, string owner, string repo, int number, string reason);

        [LoggerMessage(2, LogLevel.Warning, "Could not read linked issue {Issue} of {Owner}/{Repo}#{Number}; the review goes on without it: {Reason}")]
        public static partial void IssueUnread(ILogger logger, Exception? exception, string owner, string repo, int number, string issue, string reason);
    }
}
