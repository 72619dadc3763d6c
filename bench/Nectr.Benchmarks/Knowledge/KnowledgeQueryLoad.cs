using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Context;
using Nectr.Engine.Prompts;
using Nectr.Issues;
using Nectr.Knowledge;
using Nectr.Memory;
using Npgsql;

using static Nectr.Benchmarks.BenchArgs;

namespace Nectr.Benchmarks.Knowledge;

/// <summary>
/// Seeds a synthetic knowledge index (<see cref="KnowledgeIndexSeed"/>), open issues and project memories
/// (<see cref="ReviewContextSeed"/>) in a fresh database and times, one call at a time, every database query a review
/// asks (the three knowledge queries, <see cref="KnowledgeAnalytics.RisksForAsync"/>, candidate issues, memory for
/// the review: one pull request's paths, title and body, that pull request left out) and the analytics the API asks
/// (hotspots, high-risk files, ownership, expertise: top 20; the co-change graph at the endpoint's bounds; the file
/// map's pull request counts for 5,000 paths). Prints p50, p95, p99 and max per query. SQLite always; PostgreSQL when
/// given a server URL (<c>--postgres postgres://user:pass@host:port/db</c>, or NECTR_TEST_POSTGRES): a database is
/// created and dropped. Each query gets <c>--queries</c> calls (300) or as many as fit in <c>--seconds</c> (30), at
/// least 20. <c>--only NAME[,NAME]</c> times only the queries whose names contain one of the words.
/// </summary>
internal static class KnowledgeQueryLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var prs = Int(args, "--prs", 10_000);
        var files = Int(args, "--files", 20);
        var queries = Int(args, "--queries", 300);
        var issues = Int(args, "--issues", IssueIndex.MaxOpenIssues);
        var memories = Int(args, "--memories", 200);
        var seconds = Int(args, "--seconds", 30);
        var only = Arg(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) ?? [];
        var load = new Load(prs, files, queries, issues, memories, only, TimeSpan.FromSeconds(seconds), TimeSpan.FromSeconds(Math.Max(1, seconds / 3)));
        var postgres = Arg(args, "--postgres") ?? Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES");

        var directory = Directory.CreateTempSubdirectory("nectr-knowledge-bench-");
        try
        {
            var sqlite = new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite($"Data Source={Path.Combine(directory.FullName, "nectr.db")}").Options;
            await RunOnAsync("sqlite", () => new SqliteNectrDb(sqlite), load);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        if (!string.IsNullOrEmpty(postgres))
        {
            var server = BenchPostgres.ConnectionString(new Uri(postgres));
            var name = "nectr_kbench_" + Guid.NewGuid().ToString("N")[..12];
            await BenchPostgres.AdminAsync(server, $"CREATE DATABASE {name}");
            try
            {
                var options = new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql(new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString).Options;
                await RunOnAsync("postgres", () => new PostgresNectrDb(options), load);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await BenchPostgres.AdminAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            }
        }

        return 0;
    }

    private static async Task RunOnAsync(string provider, Func<NectrDb> create, Load load)
    {
        var (prs, files, queries) = (load.Prs, load.Files, load.Queries);
        await using (var db = create())
        {
            await db.Database.MigrateAsync();
            var seeding = Stopwatch.StartNew();
            await KnowledgeIndexSeed.SeedAsync(db, prs, files, CancellationToken.None);
            await ReviewContextSeed.SeedAsync(db, KnowledgeIndexSeed.Repository, load.Issues, load.Memories, CancellationToken.None);
            Console.WriteLine($"{provider}: seeded {prs:N0} PRs x {files} files, {load.Issues} open issues, {load.Memories} memories in {seeding.Elapsed.TotalSeconds:F1} s");
        }

        var factory = new Factory(create);
        var knowledge = new KnowledgeQueries(factory);
        var analytics = new KnowledgeAnalytics(factory);
        var issueIndex = new IssueIndex(factory);
        var memoryStore = new MemoryStore(factory, new DbWriteGate(Options.Create(new DatabaseOptions())), TimeProvider.System, Options.Create(new MemoryOptions()), NullLogger<MemoryStore>.Instance);
        var memory = new MemoryRetrieval(memoryStore, NullLogger<MemoryRetrieval>.Instance);
        // What a review gives memory: its share of a Claude model's default window (200,000 tokens).
        var memoryTokens = ContextBudget.TokensFor(ContextKind.Memory, LlmOptions.DefaultContextTokens("claude"));
        // The file map asks for the counts of the tree's first RepositoryFiles.MaxFiles paths: here every fourth path
        // of the pool, so hot files, cold ones and never-touched ones alike.
        var tree = Enumerable.Range(0, RepositoryFiles.MaxFiles).Select(i => KnowledgeIndexSeed.PathAt(i * KnowledgeIndexSeed.PathPool / RepositoryFiles.MaxFiles)).ToArray();
        const string repository = KnowledgeIndexSeed.Repository;
        const int top = 20;
        var none = CancellationToken.None;
        // The "current" pull requests asked about: spread over the whole history, the same ones every run.
        var random = new Random(20261201);
        var asked = Enumerable.Range(0, queries).Select(_ => random.Next(1, prs + 1)).ToArray();
        var ask = new (string Name, Func<int, string[], Task<int>> Run)[]
        {
            // Every review, in this order (Context/ReviewContextGatherer).
            ("file experts", async (n, p) => (await knowledge.FileExpertsAsync(repository, n, p, none)).Count),
            ("related past PRs", async (n, p) => (await knowledge.RelatedPullRequestsAsync(repository, n, p, none)).Count),
            ("open-PR conflicts", async (n, p) => (await knowledge.OpenConflictsAsync(repository, n, p, none)).Count),
            ("risks for PR files", async (n, p) => (await analytics.RisksForAsync(repository, p, none)).Count),
            ("candidate issues", async (n, p) => (await issueIndex.CandidatesAsync(repository, ReviewContextSeed.TitleOf(n, p), ReviewContextSeed.BodyOf(n), [n], none)).Count),
            ("memory for review", async (n, p) => (await memory.ForReviewAsync(repository, KnowledgeIndexSeed.AuthorOf(n), p, ReviewContextSeed.TitleOf(n, p), ReviewContextSeed.BodyOf(n), memoryTokens, none)) is { Problem: null } briefing
                ? briefing.MemoryIds.Count
                : throw new InvalidOperationException("memory could not be read")),
            // Their database reads alone, to tell the query from the ranking in process (BM25, token counting).
            ("  issues read only", async (_, _) => (await OpenIssuesAsync(factory, repository, none)).Count),
            ("  memories read only", async (_, _) => (await memoryStore.ForRepositoryAsync(repository, MemoryRetrieval.MaxCandidates, none)).Count),
            // The API: repository-wide, the same answer whichever pull request is "current".
            ("hotspots top 20", async (_, _) => (await analytics.HotspotsAsync(repository, top, none)).Count),
            ("high-risk top 20", async (_, _) => (await analytics.HighRiskFilesAsync(repository, top, none)).Count),
            ("ownership top 20", async (_, _) => (await analytics.CodeOwnershipAsync(repository, top, none)).Count),
            ("expertise top 20", async (_, _) => (await analytics.DeveloperExpertiseAsync(repository, top, 5, none)).Count),
            ("co-change graph", async (_, _) => (await analytics.CoChangeAsync(repository, KnowledgeEndpoints.GraphNodes, KnowledgeEndpoints.GraphLinks, none)).Links.Count),
            ("PR counts 5000 paths", async (_, _) => (await analytics.PullRequestCountsAsync(repository, tree, none)).Count),
        };

        foreach (var (name, run) in ask.Where(a => load.Only.Length == 0 || load.Only.Any(o => a.Name.Contains(o, StringComparison.OrdinalIgnoreCase))))
        {
            var warming = Stopwatch.StartNew();
            foreach (var n in asked.Take(20).TakeWhile(_ => warming.Elapsed < load.WarmUp))
            {
                await run(n, KnowledgeIndexSeed.PathsOf(n, files)); // warm-up: JIT, query cache, connection pool
            }

            // Every pull request asked about, or as many as fit in the time allowed (a query of seconds gets fewer calls).
            var timing = new List<double>(asked.Length);
            var elapsed = Stopwatch.StartNew();
            long answers = 0;
            for (var i = 0; i < asked.Length && (i < MinCalls || elapsed.Elapsed < load.PerQuery); i++)
            {
                var paths = KnowledgeIndexSeed.PathsOf(asked[i], files);
                var watch = Stopwatch.StartNew();
                answers += await run(asked[i], paths);
                timing.Add(watch.Elapsed.TotalMilliseconds);
            }

            var times = timing.ToArray();
            Array.Sort(times);
            double P(double q) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(q * times.Length) - 1)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider,-8} {name,-20} n={times.Length} p50={P(0.50):F2} ms p95={P(0.95):F2} ms p99={P(0.99):F2} ms max={times[^1]:F2} ms (avg {answers / (double)times.Length:F1} rows)"));
        }
    }

    /// <summary>The read of <see cref="IssueIndex.CandidatesAsync"/>, without its ranking.</summary>
    private static async Task<List<OpenIssue>> OpenIssuesAsync(IDbContextFactory<NectrDb> dbs, string repository, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Issues.AsNoTracking()
            .Where(i => i.RepositoryFullName == repository && i.State == IssueFacts.Open)
            .OrderByDescending(i => i.UpdatedAtMs)
            .Take(IssueIndex.MaxOpenIssues)
            .Select(i => new OpenIssue(i.Number, i.Title, i.Body))
            .ToListAsync(cancellationToken);
    }

    /// <summary>What to seed and time; each query gets <see cref="Queries"/> calls or <see cref="PerQuery"/> (at least <see cref="MinCalls"/> calls), after <see cref="WarmUp"/> at most of warm-up.</summary>
    private sealed record Load(int Prs, int Files, int Queries, int Issues, int Memories, string[] Only, TimeSpan PerQuery, TimeSpan WarmUp);

    private const int MinCalls = 20;

    private sealed class Factory(Func<NectrDb> create) : IDbContextFactory<NectrDb>
    {
        public NectrDb CreateDbContext() => create();
    }
}
