using Nectr.GitHub;

namespace Nectr.Knowledge;

/// <summary>
/// The repository's files at its default branch (one recursive tree read, with Nectr's token), merged with the
/// knowledge index's pull request counts: the file map and "files never touched" both start here.
/// </summary>
internal sealed class RepositoryFiles(IGitHubApi gitHub, KnowledgeAnalytics analytics)
{
    /// <summary>The most files a listing carries; more (or a tree GitHub truncated) sets <see cref="FileListing.Truncated"/>.</summary>
    public const int MaxFiles = 5000;

    public async Task<FileListing> ListAsync(string repositoryFullName, CancellationToken cancellationToken)
    {
        var slash = repositoryFullName.IndexOf('/', StringComparison.Ordinal);
        var (owner, repo) = (repositoryFullName[..slash], repositoryFullName[(slash + 1)..]);
        var info = await gitHub.GetRepositoryInfoAsync(owner, repo, cancellationToken);
        var tree = await gitHub.GetTreeAsync(owner, repo, info.DefaultBranch, recursive: true, cancellationToken);
        var blobs = tree.Tree.Where(e => e.Type == "blob").OrderBy(e => e.Path, StringComparer.Ordinal).ToList();
        var kept = blobs.Take(MaxFiles).ToList();
        var counts = await analytics.PullRequestCountsAsync(repositoryFullName, [.. kept.Select(e => e.Path)], cancellationToken);
        return new FileListing(
            info.DefaultBranch,
            [.. kept.Select(e => new RepositoryFile(e.Path, FileLanguages.Of(e.Path), e.Size ?? 0, counts.GetValueOrDefault(e.Path)))],
            blobs.Count,
            tree.Truncated || blobs.Count > kept.Count);
    }
}

/// <summary>A file at the default branch, its language, size in bytes, and the pull requests the index saw touch it.</summary>
internal sealed record RepositoryFile(string Path, string Language, long Size, int PrCount);

/// <summary>The files (in path order, at most <see cref="RepositoryFiles.MaxFiles"/>), how many the tree listed, and whether some are missing.</summary>
internal sealed record FileListing(string DefaultBranch, IReadOnlyList<RepositoryFile> Files, int Total, bool Truncated);
