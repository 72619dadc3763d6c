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
