namespace Nectr.Engine.Review;

/// <summary>
/// The hidden comment that identifies Nectr's review of one head commit. Before posting again after an uncertain
/// failure, the worker looks for it on the PR instead of posting blindly.
/// </summary>
public static class ReviewMarker
{
    private const string Prefix = "<!-- nectr:review ";

    public static string For(string headSha, long jobId) => $"{Prefix}head={headSha} job={jobId} -->";

    public static bool IsIn(string? body, string headSha) =>
        body is not null && body.Contains($"{Prefix}head={headSha} ", StringComparison.Ordinal);
}
