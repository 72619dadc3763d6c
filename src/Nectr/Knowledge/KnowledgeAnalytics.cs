using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Knowledge;

/// <summary>
/// Repository-wide answers from the knowledge index: hotspots, high-risk files, code ownership, developer expertise
/// by top-level directory, files never touched, co-change pairs, and the history of one pull request's files for the
/// review prompt. Each query is bounded and reads one index range: <c>(RepositoryFullName, Path, PullRequestId)</c> of
/// <c>pull_request_files</c>, or <c>(RepositoryFullName, LastVerdict)</c> of <c>pull_requests</c> for high-risk files.
/// A pull request counts once per file (the key of <c>pull_request_files</c> is (pull request, path)).
/// </summary>
internal sealed class KnowledgeAnalytics(IDbContextFactory<NectrDb> dbs)
{
    /// <summary>The most rows any ranking returns, whatever the caller asks.</summary>
    public const int MaxTop = 500;

    /// <summary>How many paths are looked up per database round trip (one parameter list each).</summary>
    private const int PathChunk = 1000;

    /// <summary>What the directory of a top-level file is called.</summary>
    public const string RootDirectory = "(root)";

    /// <summary>Files touched by the most pull requests: churn, and usually importance.</summary>
    public async Task<IReadOnlyList<FileActivity>> HotspotsAsync(string repositoryFullName, int top, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName)
            .GroupBy(f => f.Path)
            .Select(g => new { Path = g.Key, Count = g.Count() })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Path)
            .Take(Bound(top))
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new FileActivity(r.Path, r.Count))];
    }

    /// <summary>
    /// Files touched by pull requests whose last Nectr review asked for changes, the most such pull requests first, each
    /// with all the pull requests that touched it.
    /// </summary>
    public async Task<IReadOnlyList<FileRisk>> HighRiskFilesAsync(string repositoryFullName, int top, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var risky = await db.PullRequests
            .Where(p => p.RepositoryFullName == repositoryFullName && p.LastVerdict == StoredVerdict.RequestChanges)
            .Join(db.PullRequestFiles, p => p.Id, f => f.PullRequestId, (p, f) => f.Path)
            .GroupBy(path => path)
            .Select(g => new { Path = g.Key, Count = g.Count() })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Path)
            .Take(Bound(top))
            .ToListAsync(cancellationToken);
        var totals = await CountsAsync(db, repositoryFullName, [.. risky.Select(r => r.Path)], cancellationToken);
        return [.. risky.Select(r => new FileRisk(r.Path, totals.GetValueOrDefault(r.Path), r.Count))];
    }

    /// <summary>
    /// For the given paths (a pull request's files), the ones with history: how many pull requests touched each and how
    /// many of those Nectr last reviewed with "request changes". Paths never touched are left out; the most requested
    /// changes first. At most <see cref="KnowledgeQueries.MaxPaths"/> paths are looked up (the first ones given).
    /// </summary>
    public async Task<IReadOnlyList<FileRisk>> RisksForAsync(string repositoryFullName, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var wanted = paths.Where(p => p.Length is > 0 and <= KnowledgeModel.MaxPathLength).Distinct(StringComparer.Ordinal).Take(KnowledgeQueries.MaxPaths).ToList();
        if (wanted.Count == 0)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName && wanted.Contains(f.Path))
            .Join(db.PullRequests, f => f.PullRequestId, p => p.Id, (f, p) => new { f.Path, p.LastVerdict })
            .GroupBy(x => x.Path)
            .Select(g => new { Path = g.Key, Count = g.Count(), Changes = g.Count(x => x.LastVerdict == StoredVerdict.RequestChanges) })
            .ToListAsync(cancellationToken);
        return [.. rows
            .Select(r => new FileRisk(r.Path, r.Count, r.Changes))
            .OrderByDescending(r => r.ChangesRequested).ThenByDescending(r => r.PullRequests).ThenBy(r => r.Path, StringComparer.Ordinal)];
    }

    /// <summary>
    /// Code ownership of the most touched files (at least two pull requests): the author of the most pull requests
    /// touching each (bots never count), ties to the alphabetically first login.
    /// </summary>
    public async Task<IReadOnlyList<FileOwnership>> CodeOwnershipAsync(string repositoryFullName, int top, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var hot = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName)
            .Join(db.PullRequests.Where(p => !p.AuthorIsBot && p.AuthorLogin != ""), f => f.PullRequestId, p => p.Id, (f, p) => f.Path)
            .GroupBy(path => path)
            .Select(g => new { Path = g.Key, Count = g.Count() })
            .Where(x => x.Count >= 2)
            .OrderByDescending(x => x.Count).ThenBy(x => x.Path)
            .Take(Bound(top))
            .ToListAsync(cancellationToken);
        if (hot.Count == 0)
        {
            return [];
        }

        var paths = hot.Select(h => h.Path).ToList();
        var byAuthor = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName && paths.Contains(f.Path))
            .Join(db.PullRequests.Where(p => !p.AuthorIsBot && p.AuthorLogin != ""), f => f.PullRequestId, p => p.Id, (f, p) => new { f.Path, p.AuthorLogin })
            .GroupBy(x => new { x.Path, x.AuthorLogin })
            .Select(g => new { g.Key.Path, g.Key.AuthorLogin, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var owners = byAuthor.ToLookup(x => x.Path);
        return [.. hot.Select(h =>
        {
            var owner = owners[h.Path].OrderByDescending(x => x.Count).ThenBy(x => x.AuthorLogin, StringComparer.Ordinal).First();
            return new FileOwnership(h.Path, owner.AuthorLogin, owner.Count, h.Count);
        })];
    }

    /// <summary>
    /// Per developer (bots excluded), the top-level directories they worked in: the directories of the most pull
    /// requests first (at most <paramref name="directoriesPerDeveloper"/>), developers with the most pull requests first.
    /// A pull request counts once per directory however many of its files are there.
    /// </summary>
    public async Task<IReadOnlyList<DeveloperExpertise>> DeveloperExpertiseAsync(string repositoryFullName, int top, int directoriesPerDeveloper, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName)
            // IndexOf(string) is what both providers translate (Npgsql has neither Contains(char) nor a char parameter);
            // -1 means a top-level file.
#pragma warning disable CA1865, CA1866, CA1307, CA1310
            .Join(db.PullRequests.Where(p => !p.AuthorIsBot && p.AuthorLogin != ""), f => f.PullRequestId, p => p.Id,
                (f, p) => new { p.Id, p.AuthorLogin, Directory = f.Path.IndexOf("/") > 0 ? f.Path.Substring(0, f.Path.IndexOf("/")) : RootDirectory })
#pragma warning restore CA1865, CA1866, CA1307, CA1310
            .Distinct()
            .GroupBy(x => new { x.AuthorLogin, x.Directory })
            .Select(g => new { g.Key.AuthorLogin, g.Key.Directory, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var totals = await db.PullRequests
            .Where(p => p.RepositoryFullName == repositoryFullName && !p.AuthorIsBot && p.AuthorLogin != "")
            .Where(p => db.PullRequestFiles.Any(f => f.PullRequestId == p.Id))
            .GroupBy(p => p.AuthorLogin)
            .Select(g => new { Login = g.Key, Count = g.Count() })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Login)
            .Take(Bound(top))
            .ToListAsync(cancellationToken);
        var byDeveloper = rows.ToLookup(r => r.AuthorLogin);
        return [.. totals.Select(t => new DeveloperExpertise(t.Login,
            [.. byDeveloper[t.Login]
                .OrderByDescending(d => d.Count).ThenBy(d => d.Directory, StringComparer.Ordinal)
                .Take(Math.Clamp(directoriesPerDeveloper, 1, 50))
                .Select(d => new DirectoryTouches(d.Directory, d.Count))],
            t.Count))];
    }

    /// <summary>How many of <paramref name="repositoryPaths"/> (the repository's files) no indexed pull request touched, and the first of them in path order.</summary>
    public async Task<UntouchedFiles> FilesNeverTouchedAsync(string repositoryFullName, IReadOnlyList<string> repositoryPaths, int sample, CancellationToken cancellationToken)
    {
        var counts = await PullRequestCountsAsync(repositoryFullName, repositoryPaths, cancellationToken);
        var never = repositoryPaths.Distinct(StringComparer.Ordinal).Where(p => !counts.ContainsKey(p)).Order(StringComparer.Ordinal).ToList();
        return new UntouchedFiles(never.Count, [.. never.Take(Math.Clamp(sample, 0, MaxTop))]);
    }

    /// <summary>How many pull requests touched each of <paramref name="paths"/>; paths never touched are absent.</summary>
    public async Task<IReadOnlyDictionary<string, int>> PullRequestCountsAsync(string repositoryFullName, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await CountsAsync(db, repositoryFullName, paths, cancellationToken);
    }

    /// <summary>
    /// Pairs of files changed together, among the <paramref name="nodes"/> most touched files: the number of pull
    /// requests that touched both, heaviest first, at most <paramref name="links"/> pairs. Source sorts before target.
    /// </summary>
    public async Task<CoChangeGraph> CoChangeAsync(string repositoryFullName, int nodes, int links, CancellationToken cancellationToken)
    {
        var hot = await HotspotsAsync(repositoryFullName, nodes, cancellationToken);
        if (hot.Count < 2)
        {
            return new CoChangeGraph(hot, []);
        }

        // The hot files' rows are read once (one index range per path) and paired per pull request in memory: a
        // self-join in SQL took seconds on SQLite, whose planner walked a path range for every row of the other side.
        var paths = hot.Select(h => h.Path).ToList();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repositoryFullName && paths.Contains(f.Path))
            .Select(f => new { f.PullRequestId, f.Path })
            .ToListAsync(cancellationToken);
        var weights = new Dictionary<(string Source, string Target), int>();
        foreach (var pullRequest in rows.GroupBy(r => r.PullRequestId))
        {
            var files = pullRequest.Select(r => r.Path).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
            for (var i = 0; i < files.Length; i++)
            {
                for (var j = i + 1; j < files.Length; j++)
                {
                    weights[(files[i], files[j])] = weights.GetValueOrDefault((files[i], files[j])) + 1;
                }
            }
        }

        var pairs = weights
            .OrderByDescending(w => w.Value).ThenBy(w => w.Key.Source, StringComparer.Ordinal).ThenBy(w => w.Key.Target, StringComparer.Ordinal)
            .Take(Math.Clamp(links, 0, 5 * MaxTop));
        return new CoChangeGraph(hot, [.. pairs.Select(p => new CoChange(p.Key.Source, p.Key.Target, p.Value))]);
    }

    private static async Task<Dictionary<string, int>> CountsAsync(NectrDb db, string repositoryFullName, IReadOnlyList<string> paths, CancellationToken cancellationToken)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var chunk in paths.Where(p => p.Length is > 0 and <= KnowledgeModel.MaxPathLength).Distinct(StringComparer.Ordinal).Chunk(PathChunk))
        {
            var wanted = chunk.ToList();
            var rows = await db.PullRequestFiles
                .Where(f => f.RepositoryFullName == repositoryFullName && wanted.Contains(f.Path))
                .GroupBy(f => f.Path)
                .Select(g => new { Path = g.Key, Count = g.Count() })
                .ToListAsync(cancellationToken);
            foreach (var row in rows)
            {
                counts[row.Path] = row.Count;
            }
        }

        return counts;
    }

    private static int Bound(int top) => Math.Clamp(top, 1, MaxTop);
}
