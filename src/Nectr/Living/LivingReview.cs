using Nectr.Data;
using Nectr.Engine.Findings;
using Nectr.Engine.Living;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Reviews;

namespace Nectr.Living;

/// <summary>One run on a living pull request: its range, and the PR's state before it.</summary>
internal sealed record LivingRun(string Owner, string Repo, ReviewJob Job, ReviewRange Range, PullRequestStateRecord? State)
{
    public string Repository => Job.RepositoryFullName;

    public int Number => Job.PullNumber;
}

/// <summary>
/// What a run posts: <see cref="Result"/> is the engine's result with only the inline comments this run posts (each
/// ending in its fingerprint marker) and the living body; <see cref="Post"/> false when there is nothing to say.
/// </summary>
internal sealed record LivingPost(ReviewResult Result, LedgerPlan Plan, LedgerApplied Applied, bool Post);

/// <summary>
/// Incremental reviews of a living pull request, for <see cref="ReviewRunner"/>: which files this run reviews (GitHub's
/// compare against the last reviewed head), what of the engine's result is posted (the findings ledger: a fingerprint
/// is posted once), and what happens after the POST (comment ids recorded, threads of resolved findings resolved, the
/// state advanced). GitHub calls it adds to a review: 1 compare (not on the first review or a full one), and after a
/// POST with inline comments 1 listing of the review's comments, and when findings with comments were resolved
/// 1 GraphQL query per 100 threads plus 1 mutation per thread.
/// </summary>
internal sealed class LivingReview(IGitHubApi github, FindingLedger ledger, ThreadResolver threads)
{
    public async Task<LivingRun> StartAsync(ReviewJob job, string owner, string repo, CancellationToken cancellationToken)
    {
        var state = await ledger.StateAsync(job.RepositoryFullName, job.PullNumber, cancellationToken);
        var last = state?.LastReviewedSha;
        CompareAnswer? compare = null;
        if (ReviewRanges.NeedsCompare(job.Full, last, job.HeadSha)
            && await github.CompareAsync(owner, repo, last!, job.HeadSha, cancellationToken) is { } answer)
        {
            // A renamed file counts under both names: findings recorded on its old path are in range too.
            var paths = (answer.Files ?? []).SelectMany(f => f.PreviousFilename is { } old ? [f.Filename, old] : new[] { f.Filename });
            compare = new CompareAnswer(answer.Status, [.. paths.Distinct(StringComparer.Ordinal)]);
        }

        return new LivingRun(owner, repo, job, ReviewRanges.Decide(job.Full, last, job.HeadSha, compare), state);
    }

    /// <summary>The PR's files this run reviews: all of them, or those the compare lists (patches stay against the PR's base).</summary>
    public static IReadOnlyList<GitHubPullRequestFile> Reviewable(LivingRun run, IReadOnlyList<GitHubPullRequestFile> files) =>
        run.Range.Paths is null ? files : [.. files.Where(f => run.Range.Covers(f.Filename))];

    /// <summary>Decides with the ledger what this run posts, and writes the ledger (before the POST: see <see cref="FindingLedger.ApplyAsync"/>).</summary>
    public async Task<LivingPost> PlanAsync(LivingRun run, ReviewRequest request, ReviewResult result, CancellationToken cancellationToken)
    {
        var plan = await ledger.PlanAsync(run.Repository, run.Number, result, run.Range, run.Job.HeadSha, cancellationToken);
        var applied = await ledger.ApplyAsync(run.Repository, run.Number, plan, run.Job.HeadSha, cancellationToken);

        // The engine lists the inline findings first, in the order of its comments.
        var commentOf = new Dictionary<string, InlineComment>(StringComparer.Ordinal);
        foreach (var (finding, comment) in result.Findings.Take(result.Comments.Count).Zip(result.Comments))
        {
            commentOf.TryAdd(finding.Fingerprint.Length > 0 ? finding.Fingerprint : Fingerprints.Of(finding, null), comment);
        }

        var comments = plan.Posted
            .Select(p => (p.Finding.Fingerprint, Comment: commentOf.GetValueOrDefault(p.Finding.Fingerprint)))
            .Where(p => p.Comment is not null)
            .Select(p => p.Comment! with { Body = FindingMarker.Append(p.Comment.Body, p.Fingerprint) })
            .ToList();
        var body = LivingReviewBody.Render(request, result, run.Range, plan, applied.Resolved, applied.StillOpen, inlineRefused: false);
        var refused = LivingReviewBody.Render(request, result, run.Range, plan, applied.Resolved, applied.StillOpen, inlineRefused: true);
        // An incremental run with nothing new stays silent (the sticky summary carries it); a full one always speaks:
        // the first review, a rewritten branch (it says so) and a full review someone asked for.
        var post = run.Range.Scope != ReviewScope.Incremental || comments.Count > 0 || plan.Fresh.Count > 0
            || (result.Event == "REQUEST_CHANGES" && run.State?.BlockingReviewId is null);
        return new LivingPost(result with { Body = body, BodyWithoutInline = refused, Comments = comments }, plan, applied, post);
    }

    /// <summary>
    /// After the run (posted or not): the posted comments' ids recorded, threads of resolved findings resolved, the
    /// state advanced to this head. Returns the notices for the summary (a thread that could not be resolved).
    /// </summary>
    public async Task<IReadOnlyList<string>> FinishAsync(LivingRun run, LivingPost? post, PublishedReview? published, CancellationToken cancellationToken)
    {
        if (published is not null && post is not null && !published.InlinePosted)
        {
            await ledger.NotInlineAsync(run.Repository, run.Number, post.Plan.Posted.Select(p => p.Finding.Fingerprint), cancellationToken);
        }
        else if (published is not null)
        {
            await RecordCommentsAsync(run, published.Review.Id, cancellationToken);
        }

        return await CloseAsync(run, published?.Review, cancellationToken);
    }

    /// <summary>An earlier attempt's review was found on GitHub: record what it carries and finish as if just posted.</summary>
    public async Task<IReadOnlyList<string>> FinishFoundAsync(LivingRun run, GitHubReview found, CancellationToken cancellationToken)
    {
        await RecordCommentsAsync(run, found.Id, cancellationToken);
        return await CloseAsync(run, found, cancellationToken);
    }

    /// <summary>Every finding of the PR after this run, for the sticky summary.</summary>
    public Task<IReadOnlyList<TrackedFinding>> TrackedAsync(LivingRun run, LivingPost? post, CancellationToken cancellationToken) =>
        ledger.TrackedAsync(run.Repository, run.Number, (post?.Plan.Fresh.Select(f => f.Finding.Fingerprint) ?? []).ToHashSet(StringComparer.Ordinal), cancellationToken);

    private async Task RecordCommentsAsync(LivingRun run, long reviewId, CancellationToken cancellationToken)
    {
        // A failure here fails the attempt: the retry finds the review by its marker and lists its comments again.
        var comments = await github.ListReviewCommentsAsync(run.Owner, run.Repo, run.Number, reviewId, cancellationToken);
        var marked = comments.Select(c => (Fingerprint: FindingMarker.Read(c.Body), c.Id))
            .Where(c => c.Fingerprint is not null)
            .Select(c => (c.Fingerprint!, c.Id))
            .ToList();
        await ledger.RecordCommentsAsync(run.Repository, run.Number, marked, cancellationToken);
    }

    private async Task<IReadOnlyList<string>> CloseAsync(LivingRun run, GitHubReview? review, CancellationToken cancellationToken)
    {
        var notices = new List<string>();
        if (run.Range.Scope != ReviewScope.Incremental && run.Range.Notice is { } notice)
        {
            notices.Add(notice);
        }

        var (_, threadNotice) = await threads.ResolveAsync(run.Owner, run.Repo, run.Number, cancellationToken);
        if (threadNotice is not null)
        {
            notices.Add(threadNotice);
        }

        var blocking = review is { State: "CHANGES_REQUESTED" } ? review.Id : (long?)null;
        await ledger.AdvanceAsync(run.Repository, run.Number, run.Job.HeadSha, blocking, cancellationToken);
        return notices;
    }
}
