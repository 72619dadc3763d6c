using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Knowledge;
using Npgsql;

namespace Nectr.Benchmarks.Knowledge;

/// <summary>
/// Seeds a synthetic knowledge index (<see cref="KnowledgeIndexSeed"/>) in a fresh database and times each of the
/// three knowledge queries, called as a review would (one pull request's paths, that pull request left out), one at a
/// time. Prints p50, p95, p99 and max per query. SQLite always; PostgreSQL when given a server URL
/// (<c>--postgres postgres://user:pass@host:port/db</c>, or NECTR_TEST_POSTGRES): a database is created and dropped.
/// </summary>
internal static class KnowledgeQueryLoad
{
    public static async Task<int> RunAsync(string[] args)
    {
        var prs = Int(args, "--prs", 10_000);
        var files = Int(args, "--files", 20);
        var queries = Int(args, "--queries", 300);
        var postgres = Arg(args, "--postgres") ?? Environment.GetEnvironmentVariable("NECTR_TEST_POSTGRES");

        var directory = Directory.CreateTempSubdirectory("nectr-knowledge-bench-");
        try
        {
            var sqlite = new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite($"Data Source={Path.Combine(directory.FullName, "nectr.db")}").Options;
            await RunOnAsync("sqlite", () => new SqliteNectrDb(sqlite), prs, files, queries);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }

        if (!string.IsNullOrEmpty(postgres))
        {
            var server = ConnectionString(new Uri(postgres));
            var name = "nectr_kbench_" + Guid.NewGuid().ToString("N")[..12];
            await AdminAsync(server, $"CREATE DATABASE {name}");
            try
            {
                var options = new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql(new NpgsqlConnectionStringBuilder(server) { Database = name, Pooling = true }.ConnectionString).Options;
                await RunOnAsync("postgres", () => new PostgresNectrDb(options), prs, files, queries);
            }
            finally
            {
                NpgsqlConnection.ClearAllPools();
                await AdminAsync(server, $"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            }
        }

        return 0;
    }

    private static async Task RunOnAsync(string provider, Func<NectrDb> create, int prs, int files, int queries)
    {
        await using (var db = create())
        {
            await db.Database.MigrateAsync();
            var seeding = Stopwatch.StartNew();
            await KnowledgeIndexSeed.SeedAsync(db, prs, files, CancellationToken.None);
            Console.WriteLine($"{provider}: seeded {prs:N0} PRs x {files} files in {seeding.Elapsed.TotalSeconds:F1} s");
        }

        var knowledge = new KnowledgeQueries(new Factory(create));
        // The "current" pull requests asked about: spread over the whole history, the same ones every run.
        var random = new Random(20261201);
        var asked = Enumerable.Range(0, queries).Select(_ => random.Next(1, prs + 1)).ToArray();
        var ask = new (string Name, Func<int, string[], Task<int>> Run)[]
        {
            ("file experts", async (n, p) => (await knowledge.FileExpertsAsync(KnowledgeIndexSeed.Repository, n, p, CancellationToken.None)).Count),
            ("related past PRs", async (n, p) => (await knowledge.RelatedPullRequestsAsync(KnowledgeIndexSeed.Repository, n, p, CancellationToken.None)).Count),
            ("open-PR conflicts", async (n, p) => (await knowledge.OpenConflictsAsync(KnowledgeIndexSeed.Repository, n, p, CancellationToken.None)).Count),
        };

        foreach (var (name, run) in ask)
        {
            foreach (var n in asked.Take(20))
            {
                await run(n, KnowledgeIndexSeed.PathsOf(n, files)); // warm-up: JIT, query cache, connection pool
            }

            var times = new double[asked.Length];
            long answers = 0;
            for (var i = 0; i < asked.Length; i++)
            {
                var paths = KnowledgeIndexSeed.PathsOf(asked[i], files);
                var watch = Stopwatch.StartNew();
                answers += await run(asked[i], paths);
                times[i] = watch.Elapsed.TotalMilliseconds;
            }

            Array.Sort(times);
            double P(double q) => times[Math.Min(times.Length - 1, (int)Math.Ceiling(q * times.Length) - 1)];
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{provider,-8} {name,-18} n={times.Length} p50={P(0.50):F2} ms p95={P(0.95):F2} ms p99={P(0.99):F2} ms max={times[^1]:F2} ms (avg {answers / (double)times.Length:F1} rows)"));
        }
    }

    private static string ConnectionString(Uri url)
    {
        var user = url.UserInfo.Split(':', 2);
        return new NpgsqlConnectionStringBuilder
        {
            Host = url.Host,
            Port = url.Port,
            Database = url.AbsolutePath.Trim('/') is { Length: > 0 } db ? db : "postgres",
            Username = Uri.UnescapeDataString(user[0]),
            Password = Uri.UnescapeDataString(user.ElementAtOrDefault(1) ?? ""),
            Pooling = false,
        }.ConnectionString;
    }

    private static async Task AdminAsync(string server, string sql)
    {
        await using var admin = new NpgsqlConnection(server);
        await admin.OpenAsync();
        await using var command = new NpgsqlCommand(sql, admin);
        await command.ExecuteNonQueryAsync();
    }

    private static string? Arg(string[] args, string name) => Array.IndexOf(args, name) is var i and >= 0 && i + 1 < args.Length ? args[i + 1] : null;

    private static int Int(string[] args, string name, int fallback) => Arg(args, name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;

    private sealed class Factory(Func<NectrDb> create) : IDbContextFactory<NectrDb>
    {
        public NectrDb CreateDbContext() => create();
    }
}
