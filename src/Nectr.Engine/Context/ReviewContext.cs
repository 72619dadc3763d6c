using Nectr.Engine.Review;

namespace Nectr.Engine.Context;

/// <summary>An issue the pull request links with a closing keyword, as GitHub returned it. The title is untrusted text.</summary>
public sealed record LinkedIssue(IssueReference Issue, string Title);

/// <summary>
/// An earlier pull request of the repository that touched some of the same files. <see cref="Verdict"/> is Nectr's
/// verdict on it, or null when Nectr never reviewed it. Title and paths are untrusted text.
/// </summary>
public sealed record RelatedPullRequest(int Number, string Title, Verdict? Verdict, IReadOnlyList<string> SharedFiles);

/// <summary>An open pull request that changes some of the same paths. Title and paths are untrusted text.</summary>
public sealed record OpenPullRequestConflict(int Number, string Title, IReadOnlyList<string> SharedPaths);

/// <summary>
/// What Nectr knows about the pull request beyond its diff, for the review body. Every part is optional: a part
/// that is empty (not gathered, failed, or nothing found) leaves its section out.
/// </summary>
public sealed record ReviewContext
{
    public static ReviewContext Empty { get; } = new();

    public IReadOnlyList<LinkedIssue> LinkedIssues { get; init; } = [];

    /// <summary>The candidate issues the model was shown; only these can become "Potentially resolves".</summary>
    public IReadOnlyList<IssueCandidate> Candidates { get; init; } = [];

    public IReadOnlyList<RelatedPullRequest> RelatedPullRequests { get; init; } = [];

    public IReadOnlyList<OpenPullRequestConflict> OpenConflicts { get; init; } = [];

    /// <summary>Context that could not be gathered, and why; the review's coverage lists it, so a thin review says it was thin.</summary>
    public IReadOnlyList<ContextGap> Gaps { get; init; } = [];
}

/// <summary>
/// One source of context missing from a review: <see cref="Source"/> names it for a reader ("linked issues",
/// "project memory"), <see cref="Reason"/> says why in a few words ("GitHub answered 502", "timed out after 5 s").
/// Both are Nectr's own words, never text from GitHub or the model.
/// </summary>
public sealed record ContextGap(string Source, string Reason);
