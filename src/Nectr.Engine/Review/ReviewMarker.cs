namespace Nectr.Engine.Review;

/// <summary>
/// The hidden comment that identifies Nectr's review of one head commit. Before posting again after an uncertain
/// failure, the worker looks for it on the PR instead of posting blindly.
/// </summary>
public static class ReviewMarker
{
    /// <summary>The word that makes a hidden comment Nectr's marker; output hygiene breaks it up in model text.</summary>
    internal const string Tag = "nectr:review";

    private const string Prefix = "<!-- " + Tag + " ";

    public static string For(string headSha, long jobId) => $"{Prefix}head={headSha} job={jobId} -->";

    public static bool IsIn(string? body, string headSha) =>
        body is not null && body.Contains($"{Prefix}head={headSha} ", StringComparison.Ordinal);

    /// <summary>The marker of this job's review: a head reviewed again (a command, a re-run) has one review per job.</summary>
    public static bool IsIn(string? body, string headSha, long jobId) =>
        body is not null && body.Contains(For(headSha, jobId), StringComparison.Ordinal);
}
