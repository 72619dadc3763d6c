using System.Net;
using Nectr.Engine.Living;
using Nectr.GitHub;

namespace Nectr.Living;

/// <summary>
/// Keeps the ONE sticky summary comment of a pull request: edits the known comment, else the one Nectr wrote with the
/// hidden marker (<see cref="StickySummary.IsSummary"/>), else creates it. Never two: a POST whose answer was lost may
/// have landed, so it looks before posting again. Only Nectr's own comment is ever edited; a user quoting the marker
/// is left alone. GitHub calls: 1 (PATCH) when the id is known and the comment is there; otherwise ⌈comments/100⌉
/// (list) + 1 (PATCH or POST).
/// </summary>
internal sealed partial class SummaryComment(IGitHubApi github, NectrIdentity identity, ILogger<SummaryComment> logger)
{
    /// <summary>Writes <paramref name="body"/> as the PR's summary and returns the comment's id (to store for the next run).</summary>
    public async Task<long> UpsertAsync(string owner, string repo, int number, string body, long? knownCommentId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (!StickySummary.IsSummary(body))
        {
            // Without the marker the next run could not find it again, and would post a second one.
            throw new ArgumentException("The summary body must start with StickySummary.Marker.", nameof(body));
        }

        if (knownCommentId is { } known)
        {
            try
            {
                await github.UpdateIssueCommentAsync(owner, repo, known, body, cancellationToken);
                return known;
            }
            catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.NotFound)
            {
                Log.KnownGone(logger, owner, repo, number, known);
            }
        }

        if (await FindAsync(owner, repo, number, cancellationToken) is { } found)
        {
            await github.UpdateIssueCommentAsync(owner, repo, found.Id, body, cancellationToken);
            return found.Id;
        }

        return await CreateAsync(owner, repo, number, body, cancellationToken);
    }

    /// <summary>
    /// Posts the summary. When the answer is lost (5xx, dropped connection, timeout) the comment may exist anyway: look
    /// for it, and post once more only when it is not there. A second unclear answer goes up to the job, whose next
    /// attempt looks again before posting.
    /// </summary>
    private async Task<long> CreateAsync(string owner, string repo, int number, string body, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var created = await github.CreateIssueCommentAsync(owner, repo, number, body, cancellationToken);
                Log.Created(logger, owner, repo, number, created.Id);
                return created.Id;
            }
            catch (Exception ex) when (attempt == 1 && MayHaveLanded(ex, cancellationToken))
            {
                Log.Unclear(logger, owner, repo, number, ex.Message);
                if (await FindAsync(owner, repo, number, cancellationToken) is { } landed)
                {
                    if (!string.Equals(landed.Body, body, StringComparison.Ordinal))
                    {
                        await github.UpdateIssueCommentAsync(owner, repo, landed.Id, body, cancellationToken);
                    }

                    return landed.Id;
                }
            }
        }
    }

    /// <summary>
    /// Nectr's own summary among the PR's comments: the marker on the first line AND written by Nectr's login. The
    /// oldest wins if there are several. Without Nectr's login nothing can be told apart from a user's copy, so this
    /// fails (transiently) rather than edit a stranger's comment or post a second summary.
    /// </summary>
    private async Task<GitHubIssueComment?> FindAsync(string owner, string repo, int number, CancellationToken cancellationToken)
    {
        var login = await identity.LoginAsync(cancellationToken)
            ?? throw new GitHubApiException(HttpStatusCode.ServiceUnavailable, "GET", "user",
                "Nectr's own login is unknown, so its summary comment cannot be told from a copy; trying again later");
        var comments = await github.ListIssueCommentsAsync(owner, repo, number, cancellationToken);
        return comments
            .Where(c => StickySummary.IsSummary(c.Body) && string.Equals(c.User?.Login, login, StringComparison.OrdinalIgnoreCase))
            .OrderBy(c => c.Id)
            .FirstOrDefault();
    }

    /// <summary>Whether a failed POST may still have created the comment: GitHub's answer was an error page or never came.</summary>
    private static bool MayHaveLanded(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        GitHubApiException api => (int)api.Status >= 500,
        HttpRequestException => true,
        OperationCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Created the summary comment {CommentId} on {Owner}/{Repo}#{Number}")]
        public static partial void Created(ILogger logger, string owner, string repo, int number, long commentId);

        [LoggerMessage(2, LogLevel.Information, "The summary comment {CommentId} on {Owner}/{Repo}#{Number} is gone; looking for it by its marker")]
        public static partial void KnownGone(ILogger logger, string owner, string repo, int number, long commentId);

        [LoggerMessage(3, LogLevel.Warning, "Posting the summary comment on {Owner}/{Repo}#{Number} ended unclearly ({Error}); looking for it before posting again")]
        public static partial void Unclear(ILogger logger, string owner, string repo, int number, string error);
    }
}
