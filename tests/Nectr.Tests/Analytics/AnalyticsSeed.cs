using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Memory;

namespace Nectr.Tests.Analytics;

/// <summary>
/// A small history for analytics: alice sees <see cref="Repo"/> (carol's two reviewed PRs this month, dave's one 40 days
/// ago, a parked job, a developer memory about carol); bob sees only <see cref="BobRepo"/>, whose one review costs
/// <see cref="BobCost"/> and has a critical finding, numbers that must never reach alice.
/// </summary>
internal sealed class AnalyticsSeed(TestDatabase database, FakeGitHub github, NectrApp app, HttpClient alice, HttpClient bob, long aliceId, long bobId) : IAsyncDisposable
{
    public const string Repo = "acme/api";
    public const string BobRepo = "bob/own";
    public const decimal BobCost = 9.99m;
    public const string CarolProfile = "Carol prefers small, well-tested pull requests.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public FakeGitHub GitHub => github;
    public NectrApp App => app;
    public HttpClient Alice => alice;
    public HttpClient Bob => bob;
    public long AliceId => aliceId;
    public long BobId => bobId;

    /// <summary>The seeded app; <paramref name="settings"/> are added to (or replace) its own.</summary>
    public static async Task<AnalyticsSeed> StartAsync(string provider, IDictionary<string, string?>? settings = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var github = await FakeGitHub.StartAsync();
        var all = new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = new NectrApp(database, github.ApiUrl, github.Token, all);
        var (alice, aliceUser) = await app.SignedInClientAsync("alice", 1001);
        var (bob, bobUser) = await app.SignedInClientAsync("bob", 1002);
        await MemoryApi.ConnectedAsync(app, aliceUser.Id, Repo, 42);
        await MemoryApi.ConnectedAsync(app, bobUser.Id, BobRepo, 43);

        var now = DateTime.UtcNow;
        await app.QueryAsync(async db =>
        {
            // carol's PR 1: 10 minutes from job to review, changes requested; PR 2: 2 minutes, approved; dave's PR 3 long ago.
            Review(db, Repo, 1, now.AddDays(-1), TimeSpan.FromMinutes(10), "request_changes", 4, 0.10m,
                ("high", "security", "sql"), ("low", "style", "naming"));
            Review(db, Repo, 2, now.AddDays(-2), TimeSpan.FromMinutes(2), "approve", 2, 0.05m, ("medium", "security", "sql"));
            Review(db, Repo, 3, now.AddDays(-40), TimeSpan.FromMinutes(1), "approve", 1, 0.01m);
            db.ReviewJobs.Add(new ReviewJob
            {
                RepositoryFullName = Repo, PullNumber = 4, HeadSha = "parked", Status = JobStatus.Parked, Attempts = 5,
                CreatedAt = now.AddDays(-3), UpdatedAt = now.AddDays(-3), CompletedAt = now.AddDays(-3),
            });
            Review(db, BobRepo, 9, now.AddDays(-1), TimeSpan.FromMinutes(30), "needs_discussion", 50, BobCost, ("critical", "bug", "crash"));
            db.Memories.Add(new MemoryRecord
            {
                RepositoryFullName = Repo, RepositoryGitHubId = 42, Type = "contributor_profile", Developer = "carol", Content = CarolProfile,
                CreatedAt = now, UpdatedAt = now, Source = MemorySources.Extraction,
            });
            return await db.SaveChangesAsync();
        });

        var index = app.Services.GetRequiredService<KnowledgeIndex>();
        await IndexAsync(index, Repo, 1, "carol", now.AddDays(-1), "request_changes", "src/a.cs", "src/b.cs");
        await IndexAsync(index, Repo, 2, "carol", now.AddDays(-2), "approve", "src/a.cs");
        await IndexAsync(index, Repo, 3, "dave", now.AddDays(-40), "approve", "docs/guide.md");
        await IndexAsync(index, BobRepo, 9, "erin", now.AddDays(-1), "needs_discussion", "secret/bob-only.cs");
        return new AnalyticsSeed(database, github, app, alice, bob, aliceUser.Id, bobUser.Id);
    }

    private static void Review(NectrDb db, string repo, int number, DateTime at, TimeSpan took, string verdict, int files, decimal cost,
        params (string Severity, string Category, string Rule)[] findings)
    {
        var job = new ReviewJob
        {
            RepositoryFullName = repo, PullNumber = number, HeadSha = $"sha{number}", Status = JobStatus.Done, Attempts = 1,
            CreatedAt = at - took, UpdatedAt = at, CompletedAt = at,
        };
        db.ReviewJobs.Add(job);
        db.SaveChanges();
        db.Reviews.Add(new ReviewRecord
        {
            JobId = job.Id, RepositoryFullName = repo, PullNumber = number, HeadSha = job.HeadSha, Event = "COMMENT", Body = "body",
            ChangedFiles = files, ReviewedFiles = files, Verdict = verdict, Model = "m", CostUsd = cost, InputTokens = 1000, OutputTokens = 100, CreatedAt = at,
            Findings = [.. findings.Select((f, i) => new FindingRecord
            {
                RuleId = f.Rule, File = "src/a.cs", Line = i + 1, Severity = f.Severity, Category = f.Category, Title = "t", Body = "b",
            })],
        });
    }

    private static async Task IndexAsync(KnowledgeIndex index, string repo, int number, string author, DateTime at, string verdict, params string[] paths) =>
        Assert.True(await index.RecordReviewAsync(new PullRequestFacts(repo, number, "t", author, false, PullRequestStates.Merged, at, $"sha{number}", at), paths, verdict, Ct));

    public async ValueTask DisposeAsync()
    {
        alice.Dispose();
        bob.Dispose();
        await app.DisposeAsync();
        await github.DisposeAsync();
        await database.DisposeAsync();
    }
}
