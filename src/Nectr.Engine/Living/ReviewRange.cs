namespace Nectr.Engine.Living;

/// <summary>
/// What GitHub's compare API said about the last reviewed commit and the new head: its <c>status</c> (ahead, behind,
/// diverged, identical) and the paths it lists as changed (a renamed file under both names).
/// </summary>
public sealed record CompareAnswer(string Status, IReadOnlyList<string> Paths);

/// <summary>
/// The part of the pull request one run reviews. <see cref="Paths"/> null means every file of the PR; otherwise only
/// the PR's files whose path is in it (their patches still come from <c>/pulls/{n}/files</c>, against the PR's base,
/// so line numbers and anchoring are the PR's). <see cref="Notice"/> is what the review says about its scope.
/// </summary>
public sealed record ReviewRange(ReviewScope Scope, string? FromSha, IReadOnlySet<string>? Paths, string? Notice)
{
    /// <summary>Whether findings on <paramref name="path"/> were looked for in this run (and so can be resolved by it).</summary>
    public bool Covers(string path) => Paths is null || Paths.Contains(path);

    /// <summary>An incremental run over nothing: the head did not change what the PR shows since the last review.</summary>
    public bool IsEmpty => Paths is { Count: 0 };
}

/// <summary>Decides how much of a pull request a run reviews, from the last reviewed commit and GitHub's compare.</summary>
public static class ReviewRanges
{
    /// <summary>GitHub's compare lists at most 300 files; a list that long may be cut, so the range is not trusted.</summary>
    public const int CompareFileLimit = 300;

    /// <summary>
    /// <paramref name="compare"/> is GitHub's answer for <paramref name="lastReviewedSha"/>...<paramref name="headSha"/>,
    /// null when GitHub answered 404 (the old commit is gone: force-pushed away and collected). It is not asked for
    /// (and may be null) when the run is a full one anyway (see <see cref="NeedsCompare"/>).
    /// </summary>
    public static ReviewRange Decide(bool fullRequested, string? lastReviewedSha, string headSha, CompareAnswer? compare)
    {
        ArgumentNullException.ThrowIfNull(headSha);
        if (fullRequested)
        {
            return new ReviewRange(ReviewScope.FullRequested, lastReviewedSha, null, "full review, as requested");
        }

        if (lastReviewedSha is null)
        {
            return new ReviewRange(ReviewScope.Full, null, null, null);
        }

        if (lastReviewedSha == headSha)
        {
            return new ReviewRange(ReviewScope.Incremental, lastReviewedSha, new HashSet<string>(StringComparer.Ordinal), $"nothing changed since {Short(lastReviewedSha)}");
        }

        var from = Short(lastReviewedSha);
        if (compare is null)
        {
            return new ReviewRange(ReviewScope.FullAfterRewrite, lastReviewedSha, null,
                $"full review: the branch was rewritten since {from} (GitHub no longer has that commit)");
        }

        return compare.Status switch
        {
            "ahead" when compare.Paths.Count >= CompareFileLimit => new ReviewRange(ReviewScope.Full, lastReviewedSha, null,
                $"full review: at least {CompareFileLimit} files changed since {from}, more than GitHub's compare lists"),
            // An empty commit, or a change undone: ahead, yet no file differs.
            "ahead" when compare.Paths.Count == 0 => new ReviewRange(ReviewScope.Incremental, lastReviewedSha, new HashSet<string>(StringComparer.Ordinal),
                $"nothing changed since {from}: the push changed no file"),
            "ahead" => new ReviewRange(ReviewScope.Incremental, lastReviewedSha, new HashSet<string>(compare.Paths, StringComparer.Ordinal),
                $"incremental review of {from}..{Short(headSha)}"),
            "identical" => new ReviewRange(ReviewScope.Incremental, lastReviewedSha, new HashSet<string>(StringComparer.Ordinal), $"nothing changed since {from}"),
            // behind or diverged: the new head does not contain the reviewed one (force-push, rebase, reset).
            _ => new ReviewRange(ReviewScope.FullAfterRewrite, lastReviewedSha, null, $"full review: the branch was rewritten since {from}"),
        };
    }

    /// <summary>Whether <see cref="Decide"/> needs GitHub's compare for this run (one GitHub call saved otherwise).</summary>
    public static bool NeedsCompare(bool fullRequested, string? lastReviewedSha, string headSha) =>
        !fullRequested && lastReviewedSha is not null && lastReviewedSha != headSha;

    internal static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}
