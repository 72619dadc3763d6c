using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Knowledge;

/// <summary>The repository-wide knowledge queries, on both databases, over an index seeded through its own writer.</summary>
public sealed class KnowledgeAnalyticsTests
{
    private const string Repo = "acme/api";
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Index(TestDatabase database, NectrApp app) : IAsyncDisposable
    {
        public KnowledgeAnalytics Analytics => app.Services.GetRequiredService<KnowledgeAnalytics>();

        public static async Task<Index> StartAsync(string provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" });
            app.CreateClient().Dispose();
            return new Index(database, app);
        }

        /// <summary>A pull request as a review records it (<paramref name="verdict"/>) or as the backfill does (null).</summary>
        public async Task AddAsync(int number, string author, string[] paths, string? verdict = null, string repo = Repo, string? type = "User")
        {
            var facts = new PullRequestFacts(repo, number, $"PR {number}", author, PullRequestFacts.IsBot(author, type), PullRequestStates.Merged,
                T0, new string('a', 40), T0.AddMinutes(number));
            var index = app.Services.GetRequiredService<KnowledgeIndex>();
            if (verdict is null)
            {
                await index.RecordPullRequestAsync(facts, paths, Ct);
            }
            else
            {
                Assert.True(await index.RecordReviewAsync(facts, paths, verdict, Ct));
            }
        }

        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    /// <summary>
    /// alice: #1 a,b (request changes) · #2 a · #3 docs/x.md · bob: #4 a,c (request changes) · #5 b,c (approve) ·
    /// dependabot[bot]: #6 a,b,c · another repository: #7 a (request changes).
    /// </summary>
    private static async Task SeedAsync(Index index)
    {
        await index.AddAsync(1, "alice", ["src/a.cs", "src/b.cs"], StoredVerdict.RequestChanges);
        await index.AddAsync(2, "alice", ["src/a.cs"]);
        await index.AddAsync(3, "alice", ["docs/x.md", "README.md"]);
        await index.AddAsync(4, "bob", ["src/a.cs", "src/c.cs"], StoredVerdict.RequestChanges);
        await index.AddAsync(5, "bob", ["src/b.cs", "src/c.cs"], StoredVerdict.Approve);
        await index.AddAsync(6, "dependabot[bot]", ["src/a.cs", "src/b.cs", "src/c.cs"], type: "Bot");
        await index.AddAsync(7, "erin", ["src/a.cs"], StoredVerdict.RequestChanges, repo: "acme/web");
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Hotspots_rank_files_by_pull_requests_in_this_repository(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var hot = await index.Analytics.HotspotsAsync(Repo, 3, Ct);

        Assert.Equal([("src/a.cs", 4), ("src/b.cs", 3), ("src/c.cs", 3)], hot.Select(h => (h.Path, h.PullRequests)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task High_risk_files_are_those_touched_by_prs_nectr_asked_to_change_with_all_their_prs(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var risky = await index.Analytics.HighRiskFilesAsync(Repo, 10, Ct);

        Assert.Equal([new FileRisk("src/a.cs", 4, 2), new FileRisk("src/b.cs", 3, 1), new FileRisk("src/c.cs", 3, 1)], risky);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Risks_for_a_prs_paths_give_the_history_of_the_paths_that_have_one(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var risks = await index.Analytics.RisksForAsync(Repo, ["src/c.cs", "src/new.cs", "src/a.cs", "README.md", ""], Ct);

        Assert.Equal([new FileRisk("src/a.cs", 4, 2), new FileRisk("src/c.cs", 3, 1), new FileRisk("README.md", 1, 0)], risks);
        Assert.Empty(await index.Analytics.RisksForAsync(Repo, [], Ct));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Code_ownership_names_the_author_of_most_prs_per_file_touched_twice_or_more_without_bots(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var owners = await index.Analytics.CodeOwnershipAsync(Repo, 10, Ct);

        // a: alice 2, bob 1 · b: alice 1, bob 1 (tie: alphabetical) · c: bob 2 · docs and README: one PR each, left out.
        Assert.Equal([new FileOwnership("src/a.cs", "alice", 2, 3), new FileOwnership("src/b.cs", "alice", 1, 2), new FileOwnership("src/c.cs", "bob", 2, 2)], owners);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Developer_expertise_counts_each_pr_once_per_top_level_directory(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var expertise = await index.Analytics.DeveloperExpertiseAsync(Repo, 10, 4, Ct);

        Assert.Equal(["alice", "bob"], expertise.Select(e => e.Login));
        Assert.Equal(3, expertise[0].PullRequests);
        Assert.Equal([new DirectoryTouches("src", 2), new DirectoryTouches(KnowledgeAnalytics.RootDirectory, 1), new DirectoryTouches("docs", 1)], expertise[0].Directories);
        Assert.Equal([new DirectoryTouches("src", 2)], expertise[1].Directories);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Files_never_touched_are_the_repositorys_files_without_any_indexed_pr(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var untouched = await index.Analytics.FilesNeverTouchedAsync(Repo, ["src/a.cs", "src/z.cs", "LICENSE", "src/y.cs", "src/c.cs"], 2, Ct);

        Assert.Equal(3, untouched.Count);
        Assert.Equal(["LICENSE", "src/y.cs"], untouched.Sample);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Co_change_links_pairs_of_the_most_touched_files_weighted_by_shared_prs(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await SeedAsync(index);

        var graph = await index.Analytics.CoChangeAsync(Repo, 3, 2, Ct);

        Assert.Equal(["src/a.cs", "src/b.cs", "src/c.cs"], graph.Nodes.Select(n => n.Path));
        // a+b: #1, #6 · a+c: #4, #6 · b+c: #5, #6 — all 2; the two first by path.
        Assert.Equal([new CoChange("src/a.cs", "src/b.cs", 2), new CoChange("src/a.cs", "src/c.cs", 2)], graph.Links);
    }
}
