using Nectr.Engine.Review;
using Nectr.GitHub;

namespace Nectr.Reviews;

/// <summary>Posts one finished review as ONE GitHub review; shared by the worker and <c>nectr review --post</c>.</summary>
internal sealed partial class ReviewPublisher(IGitHubApi github, ILogger<ReviewPublisher> logger)
{
    /// <summary>The review Nectr already posted for this head, found by its hidden marker, or null.</summary>
    public async Task<GitHubReview?> FindPostedAsync(string owner, string repo, int number, string headSha, CancellationToken cancellationToken)
    {
        var reviews = await github.ListReviewsAsync(owner, repo, number, cancellationToken);
        return reviews.FirstOrDefault(r => ReviewMarker.IsIn(r.Body, headSha));
    }

    /// <summary>The review this job already posted, found by its hidden marker, or null (a head reviewed again has one review per job).</summary>
    public async Task<GitHubReview?> FindPostedAsync(string owner, string repo, int number, string headSha, long jobId, CancellationToken cancellationToken)
    {
        var reviews = await github.ListReviewsAsync(owner, repo, number, cancellationToken);
        return reviews.FirstOrDefault(r => ReviewMarker.IsIn(r.Body, headSha, jobId));
    }

    /// <summary>
    /// Posts the review; when GitHub refuses its inline comments, posts every finding in the body instead. The answer
    /// says which happened, so the record shows what GitHub actually holds.
    /// </summary>
    public async Task<PublishedReview> PostAsync(string owner, string repo, int number, string headSha, ReviewResult result, CancellationToken cancellationToken)
    {
        var comments = result.Comments
            .Select(c => new CreateReviewComment(c.Path, c.Line, "RIGHT", c.StartLine, c.StartLine is null ? null : "RIGHT", c.Body))
            .ToList();
        try
        {
            var review = await github.CreateReviewAsync(owner, repo, number, new CreateReviewRequest(headSha, result.Body, result.Event, comments), cancellationToken);
            return new PublishedReview(review, result.Body, InlinePosted: true);
        }
        catch (GitHubApiException ex) when (ex.Status == System.Net.HttpStatusCode.UnprocessableEntity && comments.Count > 0)
        {
            // GitHub refused the inline comments (the diff changed under us, or it disagrees with our line map).
            // 422 means nothing was created, so posting once more with every finding in the body is safe.
            Log.InlineRefused(logger, owner, repo, number, ex.Message);
            var body = result.BodyWithoutInline.Length > 0 ? result.BodyWithoutInline : result.Body;
            var review = await github.CreateReviewAsync(owner, repo, number, new CreateReviewRequest(headSha, body, result.Event, []), cancellationToken);
            return new PublishedReview(review, body, InlinePosted: false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "GitHub refused inline comments on {Owner}/{Repo}#{Number}: {Error}; posting them in the body")]
        public static partial void InlineRefused(ILogger logger, string owner, string repo, int number, string error);
    }
}

/// <summary>The review GitHub now holds: its body, and whether the inline comments went with it.</summary>
internal sealed record PublishedReview(GitHubReview Review, string Body, bool InlinePosted);
