using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Engine.Living;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.RepoConfig;

namespace Nectr.Living;

/// <summary>
/// The end of every review run that reached the engine, posted or not: the PR's one summary comment edited in place
/// (every finding the PR has with its status, the scope, coverage, cost, the last reviewed head, and notices such as an
/// unusable <c>.nectr.yml</c>: carried by that one comment, a notice is reported once however many pushes follow), then
/// Nectr's blocking review reconciled with the policy's view of the findings. Both ids are remembered for the next run.
/// </summary>
internal sealed class PullRequestSummary(
    LivingReview living,
    FindingLedger ledger,
    SummaryComment comments,
    BlockingReviewDismissal dismissal,
    IOptions<CommandOptions> commands)
{
    /// <summary>Publishes the summary of <paramref name="run"/> and returns its body, as posted.</summary>
    public async Task<string> PublishAsync(
        LivingRun run, ReviewRequest request, ReviewResult result, LivingPost? plan, GitHubReview? posted, IReadOnlyList<string> notices, EffectiveConfig config,
        CancellationToken cancellationToken)
    {
        var tracked = await living.TrackedAsync(run, plan, cancellationToken);
        return await PublishTrackedAsync(run, request, result, tracked, posted, notices, config, cancellationToken);
    }

    /// <summary>
    /// A push that changed none of the PR's files (an empty compare): nothing was reviewed, yet the summary moves to this
    /// head (one edit, no review), so its last reviewed commit never lags a push behind the ledger. No finding was looked
    /// for, so the verdict is the policy's over the findings still open from earlier reviews; the notice says why.
    /// </summary>
    public async Task PublishUnchangedAsync(
        LivingRun run, ReviewRequest request, ReviewResult builtIn, IReadOnlyList<string> notices, EffectiveConfig config, CancellationToken cancellationToken)
    {
        var tracked = await living.TrackedAsync(run, null, cancellationToken);
        var open = tracked.Where(t => t.Status != TrackedStatus.Resolved)
            .Select(t => new Finding("", t.File, t.Line, null, t.Severity, "", t.Title, "", null))
            .ToList();
        var (verdict, reason) = VerdictPolicy.Decide(open);
        var result = builtIn with { Verdict = verdict, VerdictReason = open.Count == 0 ? reason : $"{reason}, still open from earlier reviews" };
        IReadOnlyList<string> all = run.Range.Notice is { } unchanged ? [unchanged, .. notices] : notices;
        await PublishTrackedAsync(run, request, result, tracked, null, all, config, cancellationToken);
    }

    private async Task<string> PublishTrackedAsync(
        LivingRun run, ReviewRequest request, ReviewResult result, IReadOnlyList<TrackedFinding> tracked, GitHubReview? posted, IReadOnlyList<string> notices,
        EffectiveConfig config, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> all = config.Problem is { } problem ? [ConfigNotices.Text(problem), .. notices] : notices;
        var body = StickySummary.Render(new SummaryInput(request, result, run.Range.Scope, run.Range.FromSha, tracked, all), commands.Value.Handle);
        // Read now, not at the start of the run: finishing the run may have just recorded a blocking review it posted.
        var state = await ledger.StateAsync(run.Repository, run.Number, cancellationToken);
        var commentId = await comments.UpsertAsync(run.Owner, run.Repo, run.Number, body, state?.SummaryCommentId, cancellationToken);
        var blocking = await dismissal.ReconcileAsync(run.Owner, run.Repo, run.Number, state?.BlockingReviewId, result, tracked, posted?.Id, cancellationToken);
        await ledger.SummarizedAsync(run.Repository, run.Number, commentId, blocking, cancellationToken);
        return body;
    }
}
