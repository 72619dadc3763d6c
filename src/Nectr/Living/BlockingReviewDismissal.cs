using System.Net;
using Nectr.Engine.Living;
using Nectr.Engine.Review;
using Nectr.GitHub;

namespace Nectr.Living;

/// <summary>
/// Nectr's REQUEST_CHANGES review (opt-in blocking) must not hold a pull request once its blocking findings are gone:
/// after each run this dismisses it, decided by the verdict policy over structured findings
/// (<see cref="BlockingFindings"/>), never by anything a model wrote. Only Nectr's own review, and only one that
/// still requests changes, is dismissed. The review of the run is already on GitHub, so a failure here never fails
/// the job: a review that is gone or already dismissed is forgotten, anything else is tried again next run.
/// GitHub calls: none while blocking findings remain; otherwise 1 (GET the review) + 1 (PUT the dismissal).
/// </summary>
internal sealed partial class BlockingReviewDismissal(IGitHubApi github, NectrIdentity identity, ILogger<BlockingReviewDismissal> logger)
{
    internal const string Message = "Nectr's critical and high findings on this pull request are resolved, so this review no longer requests changes.";

    /// <summary>
    /// Returns the blocking review id to store for the PR: the review posted in this run when it requests changes, the
    /// stored one while blocking findings remain or a dismissal must be tried again, else null.
    /// <paramref name="tracked"/> is the ledger's view after this run (still-open findings of earlier pushes count).
    /// </summary>
    public async Task<long?> ReconcileAsync(
        string owner, string repo, int number, long? blockingReviewId, ReviewResult result, IReadOnlyList<TrackedFinding> tracked, long? postedReviewId,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(result);
        if (BlockingFindings.Remain(result, tracked))
        {
            // A reviewer's latest REQUEST_CHANGES is the one GitHub counts, so it is the one to dismiss later.
            return postedReviewId is { } posted && result.Event == "REQUEST_CHANGES" ? posted : blockingReviewId;
        }

        if (blockingReviewId is not { } id)
        {
            return null;
        }

        try
        {
            if (await identity.LoginAsync(cancellationToken) is not { } login)
            {
                // Fail closed: without Nectr's login the review cannot be shown to be Nectr's own.
                Log.Deferred(logger, owner, repo, number, id, "Nectr's own login is unknown");
                return id;
            }

            var review = await github.GetReviewAsync(owner, repo, number, id, cancellationToken);
            if (!string.Equals(review.User?.Login, login, StringComparison.OrdinalIgnoreCase))
            {
                Log.NotOwn(logger, owner, repo, number, id);
                return null;
            }

            if (review.State != "CHANGES_REQUESTED")
            {
                Log.NotBlocking(logger, owner, repo, number, id, review.State ?? "unknown");
                return null;
            }

            await github.DismissReviewAsync(owner, repo, number, id, Message, cancellationToken);
            Log.Dismissed(logger, owner, repo, number, id);
            return null;
        }
        catch (GitHubApiException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.UnprocessableEntity)
        {
            // Deleted, or already dismissed (GitHub answers 422 to a second dismissal): nothing holds the PR any more.
            Log.Gone(logger, owner, repo, number, id, ex.Message);
            return null;
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubRateLimitedException or GitHubTokenUnavailableException or HttpRequestException
            or TimeoutException or Polly.Timeout.TimeoutRejectedException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            Log.Deferred(logger, owner, repo, number, id, ex.Message);
            return id;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Dismissed Nectr's blocking review {ReviewId} on {Owner}/{Repo}#{Number}: its blocking findings are resolved")]
        public static partial void Dismissed(ILogger logger, string owner, string repo, int number, long reviewId);

        [LoggerMessage(2, LogLevel.Information, "Blocking review {ReviewId} on {Owner}/{Repo}#{Number} is gone or already dismissed ({Error}); forgetting it")]
        public static partial void Gone(ILogger logger, string owner, string repo, int number, long reviewId, string error);

        [LoggerMessage(3, LogLevel.Warning, "Review {ReviewId} on {Owner}/{Repo}#{Number} is not Nectr's own; it is not dismissed and is forgotten")]
        public static partial void NotOwn(ILogger logger, string owner, string repo, int number, long reviewId);

        [LoggerMessage(4, LogLevel.Information, "Review {ReviewId} on {Owner}/{Repo}#{Number} no longer requests changes (state {State}); forgetting it")]
        public static partial void NotBlocking(ILogger logger, string owner, string repo, int number, long reviewId, string state);

        [LoggerMessage(5, LogLevel.Warning, "Could not dismiss blocking review {ReviewId} on {Owner}/{Repo}#{Number} ({Error}); trying again after the next review")]
        public static partial void Deferred(ILogger logger, string owner, string repo, int number, long reviewId, string error);
    }
}
