using Nectr.Engine.Review;

namespace Nectr.Engine.Living;

/// <summary>
/// Whether the pull request still has a blocking finding after a run, by the verdict policy only (never by what a
/// model wrote): the run's own verdict, or a tracked finding from an earlier push that is still open. An incremental
/// run's result covers only the new range, so the ledger's still-open findings count too.
/// </summary>
public static class BlockingFindings
{
    public static bool Remain(ReviewResult result, IReadOnlyList<TrackedFinding> tracked)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(tracked);
        return result.Verdict == Verdict.RequestChanges
            || result.Findings.Any(f => VerdictPolicy.IsBlocking(f.Severity))
            || tracked.Any(t => t.Status != TrackedStatus.Resolved && VerdictPolicy.IsBlocking(t.Severity));
    }
}
