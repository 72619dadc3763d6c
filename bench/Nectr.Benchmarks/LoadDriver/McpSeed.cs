using System.Diagnostics;
using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

using static Nectr.Benchmarks.BenchArgs;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// Seeds the database both MCP servers of bench/run-mcp.sh read: Nectr's migrations, then users, the repositories each
/// may see, and reviews with findings spread over those repositories and over half a year (deterministic), then one API
/// token for the measured user, made by Nectr's own token store. Prints the token on the last line (the script hands it
/// to the load driver; it is a throwaway in a throwaway database).
///   mcp-seed --sqlite PATH [--repos 40] [--visible 20] [--users 10] [--reviews 20000]
/// The measured user (the first) sees <c>--visible</c> of the <c>--repos</c> repositories; the others see other slices,
/// so the scoping filter has rows to leave out.
/// </summary>
internal static class McpSeed
{
    private static readonly string[] Verdicts = ["approve", "request_changes", "needs_discussion"];
    private static readonly string[] Severities = ["critical", "high", "medium", "low", "info"];
    private static readonly string[] Categories = ["security", "bug", "performance", "style", "maintainability"];

    public static async Task<int> RunAsync(string[] args)
    {
        var path = Arg(args, "--sqlite");
        if (path is null)
        {
            Console.Error.WriteLine("usage: mcp-seed --sqlite PATH [--repos 40] [--visible 20] [--users 10] [--reviews 20000]");
            return 2;
        }

        var (repos, visible, users, reviews) = (Int(args, "--repos", 40), Int(args, "--visible", 20), Int(args, "--users", 10), Int(args, "--reviews", 20_000));
        var options = new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite($"Data Source={path}").Options;
        var watch = Stopwatch.StartNew();
        await using (var db = new SqliteNectrDb(options))
        {
            await db.Database.MigrateAsync();
            var userIds = await SeedUsersAsync(db, repos, visible, users);
            await SeedReviewsAsync(db, repos, reviews);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"seeded {users} users, {repos} repositories ({visible} visible to the measured user), {reviews} reviews in {watch.Elapsed.TotalSeconds:F1} s"));
            Console.WriteLine(await McpSeedToken.CreateAsync(options, userIds[0]));
        }

        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        return 0;
    }

    private static string Repo(int i) => $"bench-org/service-{i:D2}";

    private static async Task<List<long>> SeedUsersAsync(NectrDb db, int repos, int visible, int users)
    {
        var now = DateTime.UtcNow;
        var records = Enumerable.Range(0, users).Select(u => new UserRecord
        {
            GitHubId = 900_000 + u, Login = $"bench-user-{u}", CreatedAt = now, LastLoginAt = now,
        }).ToList();
        db.Users.AddRange(records);
        await db.SaveChangesAsync();
        for (var u = 0; u < users; u++)
        {
            // Each user sees a window of `visible` repositories starting at a different offset.
            for (var k = 0; k < visible; k++)
            {
                var r = (u * 3 + k) % repos;
                db.UserRepositories.Add(new UserRepositoryAccess
                {
                    UserId = records[u].Id, RepositoryFullName = Repo(r), GitHubRepoId = 500_000 + r, Private = r % 2 == 0, RefreshedAt = now,
                });
            }
        }

        await db.SaveChangesAsync();
        return records.Select(r => r.Id).ToList();
    }

    private static async Task SeedReviewsAsync(NectrDb db, int repos, int reviews)
    {
        var random = new Random(11);
        var now = DateTime.UtcNow;
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        const int Batch = 2_000;
        for (var start = 0; start < reviews; start += Batch)
        {
            var jobs = new List<ReviewJob>();
            var rows = new List<ReviewRecord>();
            for (var i = start; i < Math.Min(reviews, start + Batch); i++)
            {
                var repo = Repo(random.Next(repos));
                var number = random.Next(1, 3_000);
                var sha = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + i.ToString("x24", CultureInfo.InvariantCulture);
                var at = now.AddSeconds(-random.Next(0, 180 * 24 * 3600));
                var job = new ReviewJob
                {
                    RepositoryFullName = repo, PullNumber = number, HeadSha = sha, Status = JobStatus.Done, Attempts = 1,
                    CreatedAt = at, UpdatedAt = at, CompletedAt = at,
                };
                jobs.Add(job);
                var findings = Enumerable.Range(0, random.Next(0, 7)).Select(f => new FindingRecord
                {
                    RuleId = $"model/{Categories[f % Categories.Length]}", File = $"src/module{random.Next(50)}/file{random.Next(200)}.cs",
                    Line = random.Next(1, 800), Severity = Severities[random.Next(Severities.Length)], Category = Categories[random.Next(Categories.Length)],
                    Title = "A finding title of ordinary length", Body = "The body of a finding, a few sentences long, as a model writes it.",
                    Inline = f % 2 == 0,
                }).ToList();
                var verdict = Verdicts[random.Next(Verdicts.Length)];
                rows.Add(new ReviewRecord
                {
                    RepositoryFullName = repo, PullNumber = number, HeadSha = sha, Event = "COMMENT",
                    HtmlUrl = $"https://github.com/{repo}/pull/{number}#pullrequestreview-{1_000_000 + i}", Body = "## Review\n\nA summary of a few lines.",
                    ChangedFiles = random.Next(1, 40), ReviewedFiles = random.Next(1, 30), InlineComments = findings.Count(f => f.Inline),
                    DurationMs = random.Next(2_000, 90_000), Verdict = verdict, VerdictReason = verdict == "approve" ? null : "1 high-severity finding",
                    Model = "claude-sonnet-4-5", LlmCalls = 1, InputTokens = random.Next(5_000, 60_000), OutputTokens = random.Next(500, 4_000),
                    CostUsd = Math.Round((decimal)random.NextDouble() / 10, 4), CreatedAt = at, Findings = findings,
                });
            }

            db.ReviewJobs.AddRange(jobs);
            await db.SaveChangesAsync();
            for (var k = 0; k < rows.Count; k++)
            {
                rows[k].JobId = jobs[k].Id;
            }

            db.Reviews.AddRange(rows);
            await db.SaveChangesAsync();
            db.ChangeTracker.Clear();
        }
    }
}
