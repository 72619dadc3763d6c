using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Knowledge;

namespace Nectr.Benchmarks.Knowledge;

/// <summary>
/// A deterministic synthetic knowledge index: <c>prs</c> pull requests of one repository, each touching
/// <c>filesPerPr</c> distinct paths drawn with a skew towards a few hot files (as real repositories have), 150
/// authors of whom 10 are bots, the newest 3 % still open. The same seed gives the same rows on both databases.
/// </summary>
internal static class KnowledgeIndexSeed
{
    public const string Repository = "bench/service";
    public const int PathPool = 20_000;
    private const int Authors = 150;
    private const int Bots = 10;

    /// <summary>The paths of pull request <paramref name="number"/> (1-based), the same every call.</summary>
    public static string[] PathsOf(int number, int filesPerPr)
    {
        var random = new Random(number * 7919);
        var paths = new HashSet<string>(StringComparer.Ordinal);
        while (paths.Count < filesPerPr)
        {
            paths.Add(SkewedPath(random));
        }

        return [.. paths];
    }

    /// <summary>One path of the pool: u³ skews towards low indexes, so a few files are touched by thousands of PRs, most by a handful.</summary>
    public static string SkewedPath(Random random)
    {
        var u = random.NextDouble();
        return PathAt((int)(PathPool * u * u * u));
    }

    /// <summary>Path <paramref name="index"/> of the pool of <see cref="PathPool"/> (0-based).</summary>
    public static string PathAt(int index) => $"src/module{index % 400:D3}/file{index:D5}.cs";

    /// <summary>The login of the author of pull request <paramref name="number"/>.</summary>
    public static string AuthorOf(int number) => number % Authors is var author && author < Bots ? $"bot{author}[bot]" : $"dev{author:D3}";

    public static async Task SeedAsync(NectrDb db, int prs, int filesPerPr, CancellationToken cancellationToken)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        const int chunk = 1000;
        for (var first = 1; first <= prs; first += chunk)
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            var rows = Enumerable.Range(first, Math.Min(chunk, prs - first + 1)).Select(n =>
            {
                var author = n % Authors;
                var open = n > prs * 97 / 100;
                var merged = !open && n % 5 != 0;
                return new PullRequestRecord
                {
                    RepositoryFullName = Repository,
                    Number = n,
                    Title = $"Change {n}",
                    AuthorLogin = AuthorOf(n),
                    AuthorIsBot = author < Bots,
                    State = open ? PullRequestStates.Open : merged ? PullRequestStates.Merged : PullRequestStates.Closed,
                    MergedAt = merged ? start.AddHours(n).UtcDateTime : null,
                    HeadSha = n.ToString("x40", System.Globalization.CultureInfo.InvariantCulture),
                    LastVerdict = StoredVerdict.All[n % StoredVerdict.All.Count],
                    UpdatedAtMs = start.AddHours(n).ToUnixTimeMilliseconds(),
                };
            }).ToList();
            db.PullRequests.AddRange(rows);
            await db.SaveChangesAsync(cancellationToken);
            db.PullRequestFiles.AddRange(rows.SelectMany(r => PathsOf(r.Number, filesPerPr)
                .Select(p => new PullRequestFileRecord { PullRequestId = r.Id, RepositoryFullName = Repository, Path = p })));
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            db.ChangeTracker.Clear();
        }

        if (db.Database.IsNpgsql())
        {
            // What autovacuum does soon after a bulk load anyway. SQLite gets no ANALYZE: Nectr never runs one.
            await db.Database.ExecuteSqlRawAsync("ANALYZE pull_requests; ANALYZE pull_request_files;", cancellationToken);
        }
    }
}
