namespace Nectr.Knowledge;

/// <summary>An author who touched the files in question, and in how many pull requests.</summary>
internal sealed record FileExpert(string Login, int PullRequests);

/// <summary>
/// Another pull request of the repository that touched some of the same files: a related past one or an open one
/// that may conflict. <see cref="SharedPaths"/> is bounded (<see cref="KnowledgeQueries.MaxSharedPaths"/>), in path
/// order; <see cref="SharedFiles"/> counts them all.
/// </summary>
internal sealed record OverlappingPullRequest(
    int Number,
    string Title,
    string AuthorLogin,
    string State,
    DateTime? MergedAt,
    string? Verdict,
    int SharedFiles,
    IReadOnlyList<string> SharedPaths);
