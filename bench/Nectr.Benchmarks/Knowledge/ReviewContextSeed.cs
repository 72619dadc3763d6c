using System.Text;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Memory;
using Nectr.Issues;

namespace Nectr.Benchmarks.Knowledge;

/// <summary>
/// The rest of a review's database context next to the synthetic knowledge index (<see cref="KnowledgeIndexSeed"/>),
/// deterministic like it: <c>issues</c> open issues of the repository (the most <see cref="IssueIndex.CandidatesAsync"/>
/// reads), titles of 4–8 words and bodies of 40–400 words from one small vocabulary plus module and file names, so
/// most issues share words with most pull requests (BM25 scores every one); and <c>memories</c> memories of every
/// type (a fifth project rules, a fifth about one of the developers), 20–120 words each, many naming a module or file.
/// The pull request's own title and body (<see cref="TitleOf"/>, <see cref="BodyOf"/>) come from the same words.
/// </summary>
internal static class ReviewContextSeed
{
    private static readonly string[] Words =
    [
        "retry", "timeout", "cache", "token", "refresh", "login", "session", "webhook", "payload", "signature",
        "parser", "diff", "hunk", "queue", "worker", "lease", "backoff", "rate", "limit", "index",
        "migration", "schema", "query", "latency", "memory", "leak", "crash", "null", "exception", "handler",
        "config", "setting", "default", "validation", "error", "message", "logging", "metrics", "trace", "span",
        "review", "comment", "finding", "severity", "prompt", "model", "budget", "tokens", "context", "issue",
        "branch", "commit", "merge", "conflict", "file", "path", "rename", "delete", "upload", "download",
    ];

    private static readonly string[] Logins = [.. Enumerable.Range(10, 140).Select(a => $"dev{a:D3}")];

    /// <summary>The title of pull request <paramref name="number"/>: five words and the module of its first file.</summary>
    public static string TitleOf(int number, string[] paths)
    {
        var random = new Random(number * 104729);
        return $"{Phrase(random, 5)} in {Module(paths[0])}";
    }

    /// <summary>The description of pull request <paramref name="number"/>: 40–120 words.</summary>
    public static string BodyOf(int number)
    {
        var random = new Random(number * 130363);
        return Phrase(random, random.Next(40, 121));
    }

    public static async Task SeedAsync(NectrDb db, string repository, int issues, int memories, CancellationToken cancellationToken)
    {
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        var start = new DateTimeOffset(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);
        var random = new Random(20261202);
        db.Issues.AddRange(Enumerable.Range(1, issues).Select(n => new IssueRecord
        {
            RepositoryFullName = repository,
            Number = 20_000 + n,
            Title = $"{Phrase(random, random.Next(4, 9))} {Module(Path(random))}",
            Body = Clip(Body(random, random.Next(40, 401)), IssueModel.MaxBodyLength),
            State = IssueFacts.Open,
            Labels = random.Next(3) == 0 ? "bug" : "bug\nneeds-triage",
            AuthorLogin = Logins[random.Next(Logins.Length)],
            UpdatedAtMs = start.AddMinutes(n * 37).ToUnixTimeMilliseconds(),
        }));

        db.Memories.AddRange(Enumerable.Range(1, memories).Select(n =>
        {
            var type = (n % 5) switch
            {
                0 => MemoryTypes.ProjectRule,
                1 => MemoryTypes.CodePattern,
                2 => MemoryTypes.Decision,
                3 => n % 2 == 0 ? MemoryTypes.DeveloperPattern : MemoryTypes.DeveloperStrength,
                _ => n % 10 == 4 ? MemoryTypes.ProjectMap : MemoryTypes.ContributorProfile,
            };
            var developer = type is MemoryTypes.DeveloperPattern or MemoryTypes.DeveloperStrength or MemoryTypes.ContributorProfile
                ? Logins[random.Next(Logins.Length)]
                : null;
            var updated = start.AddHours(n * 5).UtcDateTime;
            return new MemoryRecord
            {
                RepositoryFullName = repository,
                RepositoryGitHubId = 4242,
                Type = type,
                Content = Clip(Body(random, random.Next(20, 121)), MemoryRecord.MaxContentLength),
                Developer = developer,
                SourcePullNumber = n % 3 == 0 ? null : n * 41,
                CreatedAt = updated,
                UpdatedAt = updated,
                Source = n % 3 == 0 ? MemorySources.User : MemorySources.Extraction,
            };
        }));
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();

        if (db.Database.IsNpgsql())
        {
            await db.Database.ExecuteSqlRawAsync("ANALYZE issues; ANALYZE memories;", cancellationToken);
        }
    }

    /// <summary>Words, every eighth one a module ("module012") or a path of the index's pool, as people write them.</summary>
    private static string Body(Random random, int words)
    {
        var text = new StringBuilder();
        for (var i = 0; i < words; i++)
        {
            text.Append(i == 0 ? "" : i % 15 == 0 ? ".\n" : " ");
            text.Append((i % 8) switch
            {
                7 => random.Next(2) == 0 ? Module(Path(random)) : Path(random),
                _ => Words[random.Next(Words.Length)],
            });
        }

        return text.ToString();
    }

    private static string Phrase(Random random, int words) => string.Join(' ', Enumerable.Range(0, words).Select(_ => Words[random.Next(Words.Length)]));

    private static string Path(Random random) => KnowledgeIndexSeed.SkewedPath(random);

    private static string Clip(string text, int max) => text.Length <= max ? text : text[..max];

    private static string Module(string path) => path.Split('/')[1];
}
