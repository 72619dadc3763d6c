using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Knowledge;

/// <summary>
/// What the knowledge index says about the files of one pull request. Each answer is bounded and starts from the
/// index <c>(RepositoryFullName, Path, PullRequestId)</c> of <c>pull_request_files</c>, joined to
/// <c>pull_requests</c> by key. The pull request asked about is always left out, by number.
/// </summary>
internal sealed class KnowledgeQueries(IDbContextFactory<NectrDb> dbs)
{
    /// <summary>How many experts and related pull requests an answer names.</summary>
    public const int Top = 5;

    /// <summary>How many open pull requests a conflict answer names.</summary>
    public const int MaxConflicts = 10;

    /// <summary>How many shared paths an overlapping pull request carries.</summary>
    public const int MaxSharedPaths = 10;

    /// <summary>How many of the given paths are looked up (the first ones, in the caller's order): bounds every query of a huge PR.</summary>
    public const int MaxPaths = 500;

    /// <summary>Whether the index knows any pull request of the repository besides <paramref name="number"/>: an empty index explains empty answers.</summary>
    public async Task<bool> HasHistoryAsync(string repository, int number, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.PullRequests.AnyAsync(p => p.RepositoryFullName == repository && p.Number != number, cancellationToken);
    }

    /// <summary>The top authors by the number of pull requests that touched any of <paramref name="paths"/>; bots never count.</summary>
    public async Task<IReadOnlyList<FileExpert>> FileExpertsAsync(string repository, int number, IEnumerable<string> paths, CancellationToken cancellationToken)
    {
        var wanted = Bound(paths);
        if (wanted.Count == 0)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var experts = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repository && wanted.Contains(f.Path))
            .Join(db.PullRequests, f => f.PullRequestId, p => p.Id, (f, p) => p)
            .Where(p => p.Number != number && !p.AuthorIsBot && p.AuthorLogin != "")
            .Select(p => new { p.Id, p.AuthorLogin })
            .Distinct()
            .GroupBy(p => p.AuthorLogin)
            .Select(g => new { Login = g.Key, Count = g.Count() })
            .OrderByDescending(e => e.Count).ThenBy(e => e.Login)
            .Take(Top)
            .ToListAsync(cancellationToken);
        return [.. experts.Select(e => new FileExpert(e.Login, e.Count))];
    }

    /// <summary>
    /// The closed and merged pull requests that shared the most files with <paramref name="paths"/>, most recently
    /// updated first among equals, with the verdict of Nectr's last review of each. Open ones are conflicts instead.
    /// </summary>
    public Task<IReadOnlyList<OverlappingPullRequest>> RelatedPullRequestsAsync(string repository, int number, IEnumerable<string> paths, CancellationToken cancellationToken) =>
        OverlappingAsync(repository, number, Bound(paths), open: false, Top, cancellationToken);

    /// <summary>The open pull requests that touch any of <paramref name="paths"/>, the most shared files first.</summary>
    public Task<IReadOnlyList<OverlappingPullRequest>> OpenConflictsAsync(string repository, int number, IEnumerable<string> paths, CancellationToken cancellationToken) =>
        OverlappingAsync(repository, number, Bound(paths), open: true, MaxConflicts, cancellationToken);

    private async Task<IReadOnlyList<OverlappingPullRequest>> OverlappingAsync(
        string repository, int number, List<string> wanted, bool open, int limit, CancellationToken cancellationToken)
    {
        if (wanted.Count == 0)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var others = db.PullRequests.Where(p => p.RepositoryFullName == repository && p.Number != number);
        var candidates = open ? others.Where(p => p.State == PullRequestStates.Open) : others.Where(p => p.State != PullRequestStates.Open);
        var shared = db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repository && wanted.Contains(f.Path))
            .Join(candidates, f => f.PullRequestId, p => p.Id, (f, p) => f.PullRequestId)
            .GroupBy(id => id)
            .Select(g => new { Id = g.Key, Count = g.Count() });
        var top = await shared
            .Join(db.PullRequests, s => s.Id, p => p.Id, (s, p) => new { p.Id, p.Number, p.Title, p.AuthorLogin, p.State, p.MergedAt, p.LastVerdict, p.UpdatedAtMs, s.Count })
            .OrderByDescending(x => x.Count).ThenByDescending(x => x.UpdatedAtMs).ThenByDescending(x => x.Number)
            .Take(limit)
            .ToListAsync(cancellationToken);
        if (top.Count == 0)
        {
            return [];
        }

        // At most limit × MaxPaths rows, through the primary key (PullRequestId, Path).
        var ids = top.Select(t => t.Id).ToList();
        var rows = await db.PullRequestFiles
            .Where(f => ids.Contains(f.PullRequestId) && wanted.Contains(f.Path))
            .Select(f => new { f.PullRequestId, f.Path })
            .ToListAsync(cancellationToken);
        var paths = rows.ToLookup(r => r.PullRequestId, r => r.Path);
        return [.. top.Select(t => new OverlappingPullRequest(t.Number, t.Title, t.AuthorLogin, t.State, t.MergedAt, t.LastVerdict, t.Count,
            [.. paths[t.Id].Order(StringComparer.Ordinal).Take(MaxSharedPaths)]))];
    }

    private static List<string> Bound(IEnumerable<string> paths) =>
        [.. paths.Where(p => p.Length is > 0 and <= KnowledgeModel.MaxPathLength).Distinct(StringComparer.Ordinal).Take(MaxPaths)];
}
