using Nectr.Engine.Memory;
using Nectr.GitHub;
using Nectr.Reviews;
using Nectr.Sync;

namespace Nectr.Memory;

/// <summary>What a scan stored, or why it stored nothing (the repository is not connected).</summary>
internal sealed record ProjectScanResult(string Repository, string DefaultBranch, int FilesRead, IReadOnlyList<MemoryView>? Memories);

/// <summary>
/// The project scan: reads the README, the manifests (top level and one directory down) and the top-level tree at the
/// default branch through the contents API, summarises them deterministically (<see cref="ProjectMap"/>) and replaces
/// the repository's scanned <c>project_map</c> memories with the result. Bounded: one repository read, one tree read
/// plus at most <see cref="MaxDirectories"/> directory trees, and at most <see cref="MaxFiles"/> files of at most
/// <see cref="MaxFileBytes"/> bytes each. A GitHub failure is thrown (the sync runner retries the step; the rescan
/// endpoint answers 502); nothing is replaced unless the scan completed.
/// </summary>
internal sealed class ProjectScan(IGitHubApi github, MemoryStore store) : IRepositorySyncTask
{
    public const int MaxDirectories = 8;
    public const int MaxFiles = 12;
    public const int MaxFileBytes = 64 * 1024;

    /// <summary>Directories where a monorepo keeps its projects, looked into first.</summary>
    private static readonly string[] LikelyProjectDirectories = ["src", "packages", "apps", "services", "libs", "lib", "cmd", "crates", "modules", "server", "client", "web", "backend", "frontend", "api"];

    public string Kind => "project-scan";

    /// <summary>The whole scan is one step: its reads are bounded and it replaces the map at once, so a rerun is harmless.</summary>
    public async Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken)
    {
        await ScanAsync(repositoryFullName, cancellationToken);
        return null;
    }

    public async Task<ProjectScanResult> ScanAsync(string repositoryFullName, CancellationToken cancellationToken)
    {
        var (owner, repo) = ReviewRunner.Split(repositoryFullName);
        var info = await github.GetRepositoryInfoAsync(owner, repo, cancellationToken);
        var branch = info.DefaultBranch;
        var top = await github.GetTreeAsync(owner, repo, branch, recursive: false, cancellationToken);
        var directories = top.Tree.Where(e => e.Type == "tree").Select(e => e.Path).Order(StringComparer.Ordinal).ToList();
        var files = top.Tree.Where(e => e.Type == "blob").Select(e => e.Path).Order(StringComparer.Ordinal).ToList();

        var readmePath = files.Where(ProjectMap.IsReadme).OrderBy(f => f.Length).ThenBy(f => f, StringComparer.Ordinal).FirstOrDefault();
        var manifestPaths = files.Where(ProjectMap.IsManifest).ToList();
        var subdirectories = top.Tree.Where(e => e.Type == "tree" && e.Sha is not null && !e.Path.StartsWith('.'))
            .OrderBy(e => Array.IndexOf(LikelyProjectDirectories, e.Path.ToLowerInvariant()) is var i && i >= 0 ? i : LikelyProjectDirectories.Length)
            .ThenBy(e => e.Path, StringComparer.Ordinal)
            .Take(MaxDirectories);
        foreach (var directory in subdirectories)
        {
            if (manifestPaths.Count >= MaxFiles)
            {
                break;
            }

            // The directory's own tree by its SHA: GitHub lists its entries with paths relative to it.
            var tree = await github.GetTreeAsync(owner, repo, directory.Sha!, recursive: false, cancellationToken);
            manifestPaths.AddRange(tree.Tree.Where(e => e.Type == "blob" && ProjectMap.IsManifest(e.Path)).Select(e => $"{directory.Path}/{e.Path}"));
        }

        ScannedFile? readme = null;
        if (readmePath is not null && await ReadAsync(owner, repo, readmePath, branch, cancellationToken) is { } text)
        {
            readme = new ScannedFile(readmePath, text);
        }

        var manifests = new List<ScannedFile>();
        foreach (var path in manifestPaths.Take(readme is null ? MaxFiles : MaxFiles - 1))
        {
            if (await ReadAsync(owner, repo, path, branch, cancellationToken) is { } manifest)
            {
                manifests.Add(new ScannedFile(path, manifest));
            }
        }

        var entries = ProjectMap.Summarise(branch, directories, files, readme, manifests);
        var stored = await store.ReplaceProjectMapAsync(repositoryFullName, entries, cancellationToken);
        return new ProjectScanResult(repositoryFullName, branch, manifests.Count + (readme is null ? 0 : 1), stored);
    }

    private async Task<string?> ReadAsync(string owner, string repo, string path, string branch, CancellationToken cancellationToken) =>
        (await github.GetFileTextAsync(owner, repo, path, branch, MaxFileBytes, cancellationToken))?.Text;
}
