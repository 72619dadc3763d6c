namespace Nectr.Knowledge;

/// <summary>A file and the number of pull requests that touched it.</summary>
internal sealed record FileActivity(string Path, int PullRequests);

/// <summary>
/// A file's history for risk: the pull requests that touched it, and how many of them Nectr's last review asked to
/// change (<c>request_changes</c>).
/// </summary>
internal sealed record FileRisk(string Path, int PullRequests, int ChangesRequested);

/// <summary>The author of the most pull requests touching a file, how many that is, and how many touched it in all.</summary>
internal sealed record FileOwnership(string Path, string Owner, int OwnerPullRequests, int PullRequests);

/// <summary>A top-level directory (<see cref="KnowledgeAnalytics.RootDirectory"/> for files at the root) and a developer's pull requests in it.</summary>
internal sealed record DirectoryTouches(string Directory, int PullRequests);

/// <summary>A developer's top directories, and how many of their pull requests the index holds.</summary>
internal sealed record DeveloperExpertise(string Login, IReadOnlyList<DirectoryTouches> Directories, int PullRequests);

/// <summary>How many of the repository's files no indexed pull request touched, and a sample of them in path order.</summary>
internal sealed record UntouchedFiles(int Count, IReadOnlyList<string> Sample);

/// <summary>Two files changed together in <see cref="Weight"/> pull requests.</summary>
internal sealed record CoChange(string Source, string Target, int Weight);

/// <summary>The most touched files and the co-change pairs among them.</summary>
internal sealed record CoChangeGraph(IReadOnlyList<FileActivity> Nodes, IReadOnlyList<CoChange> Links);
