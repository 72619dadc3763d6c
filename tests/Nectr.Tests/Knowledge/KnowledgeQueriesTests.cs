using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Knowledge;

/// <summary>
/// The three questions the knowledge index answers about a pull request's files, on both databases, over an index
/// seeded through its own writer (as reviews fill it).
/// </summary>
public sealed class KnowledgeQueriesTests
{
    private const string Repo = "acme/api";
    private const int ThisPr = 100;
    private static readonly DateTimeOffset T0 = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Index(TestDatabase database, NectrApp app) : IAsyncDisposable
    {
        public KnowledgeQueries Queries => app.Services.GetRequiredService<KnowledgeQueries>();

        public static async Task<Index> StartAsync(string provider)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
            app.CreateClient().Dispose(); // starts the host and migrates
            return new Index(database, app);
        }

        /// <summary>Records a reviewed pull request as the review runner does.</summary>
        public async Task AddAsync(int number, string author, string state, string[] paths, string repo = Repo, string? type = "User", string verdict = StoredVerdict.Approve)
        {
            var facts = new PullRequestFacts(repo, number, $"PR {number}", author, PullRequestFacts.IsBot(author, type), state,
                state == PullRequestStates.Merged ? T0 : null, new string('a', 40), T0.AddMinutes(number));
            Assert.True(await app.Services.GetRequiredService<KnowledgeIndex>().RecordReviewAsync(facts, paths, verdict, Ct));
        }

        public async ValueTask DisposeAsync()
        {
            await app.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task File_experts_are_the_authors_of_the_most_pull_requests_touching_the_files_without_bots_or_this_pr(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await index.AddAsync(1, "alice", "merged", ["src/a.cs"]);
        await index.AddAsync(2, "alice", "closed", ["src/b.cs"]);
        await index.AddAsync(3, "alice", "merged", ["src/a.cs", "src/b.cs"]); // one pull request, counted once
        await index.AddAsync(4, "bob", "merged", ["src/a.cs"]);
        await index.AddAsync(5, "bob", "open", ["src/b.cs", "docs/x.md"]);
        await index.AddAsync(6, "carol", "merged", ["src/b.cs", "src/c.cs"]);
        await index.AddAsync(7, "aaron", "merged", ["src/a.cs"]);
        await index.AddAsync(8, "dave", "merged", ["src/unrelated.cs"]);
        foreach (var n in Enumerable.Range(20, 4))
        {
            await index.AddAsync(n, "dependabot[bot]", "merged", ["src/a.cs"], type: "Bot");
            await index.AddAsync(n + 10, "renovate[bot]", "merged", ["src/a.cs"], type: "User"); // the login alone says bot
            await index.AddAsync(n + 20, "ci-helper", "merged", ["src/b.cs"], type: "Bot"); // the type alone says bot
            await index.AddAsync(n + 30, "erin", "merged", ["src/a.cs"], repo: "acme/web"); // another repository
        }

        await index.AddAsync(ThisPr, "zed", "open", ["src/a.cs", "src/b.cs"]);

        var experts = await index.Queries.FileExpertsAsync(Repo, ThisPr, ["src/a.cs", "src/b.cs"], Ct);

        Assert.Equal([("alice", 3), ("bob", 2), ("aaron", 1), ("carol", 1)], experts.Select(e => (e.Login, e.PullRequests)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Related_past_prs_rank_closed_and_merged_prs_by_shared_files_with_their_verdict_and_paths(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await index.AddAsync(1, "alice", "merged", ["src/a.cs", "src/b.cs", "src/c.cs", "README.md"], verdict: StoredVerdict.RequestChanges);
        await index.AddAsync(2, "bob", "closed", ["src/a.cs"]);
        await index.AddAsync(3, "carol", "open", ["src/a.cs", "src/b.cs", "src/c.cs"]);
        await index.AddAsync(4, "dave", "merged", ["src/c.cs", "src/b.cs"], verdict: StoredVerdict.NeedsDiscussion);
        await index.AddAsync(5, "erin", "merged", ["src/a.cs", "src/b.cs", "src/c.cs"], repo: "acme/web");
        await index.AddAsync(ThisPr, "zed", "open", ["src/a.cs", "src/b.cs", "src/c.cs"]);

        var related = await index.Queries.RelatedPullRequestsAsync(Repo, ThisPr, ["src/a.cs", "src/b.cs", "src/c.cs"], Ct);

        Assert.Equal([1, 4, 2], related.Select(r => r.Number));
        Assert.Equal(("PR 1", "alice", "merged", StoredVerdict.RequestChanges, 3), (related[0].Title, related[0].AuthorLogin, related[0].State, related[0].Verdict, related[0].SharedFiles));
        Assert.Equal(["src/a.cs", "src/b.cs", "src/c.cs"], related[0].SharedPaths);
        Assert.Equal(T0.UtcDateTime, related[0].MergedAt);
        Assert.Equal(StoredVerdict.NeedsDiscussion, related[1].Verdict);
        Assert.Equal(["src/b.cs", "src/c.cs"], related[1].SharedPaths);
        Assert.Equal(("closed", (DateTime?)null), (related[2].State, related[2].MergedAt));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Open_pr_conflicts_list_only_other_open_prs_sharing_files_with_the_shared_paths(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        await index.AddAsync(1, "alice", "merged", ["src/a.cs", "src/b.cs"]);
        await index.AddAsync(2, "bob", "closed", ["src/a.cs"]);
        await index.AddAsync(3, "carol", "open", ["src/b.cs", "src/z.cs"]);
        await index.AddAsync(4, "dave", "open", ["src/a.cs", "src/b.cs"]);
        await index.AddAsync(5, "erin", "open", ["src/other.cs"]);
        await index.AddAsync(6, "frank", "open", ["src/a.cs"], repo: "acme/web");
        await index.AddAsync(ThisPr, "zed", "open", ["src/a.cs", "src/b.cs"]);

        var conflicts = await index.Queries.OpenConflictsAsync(Repo, ThisPr, ["src/a.cs", "src/b.cs"], Ct);

        Assert.Equal([(4, 2), (3, 1)], conflicts.Select(c => (c.Number, c.SharedFiles)));
        Assert.All(conflicts, c => Assert.Equal(PullRequestStates.Open, c.State));
        Assert.Equal(["src/a.cs", "src/b.cs"], conflicts[0].SharedPaths);
        Assert.Equal(["src/b.cs"], conflicts[1].SharedPaths);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Answers_are_bounded_in_prs_and_in_shared_paths_and_count_every_shared_file(string provider)
    {
        await using var index = await Index.StartAsync(provider);
        var paths = Enumerable.Range(0, 12).Select(i => $"src/f{i:D2}.cs").ToArray();
        foreach (var n in Enumerable.Range(1, 7))
        {
            await index.AddAsync(n, $"dev{n}", "merged", n == 7 ? paths : paths[..n]);
        }

        var related = await index.Queries.RelatedPullRequestsAsync(Repo, ThisPr, paths, Ct);
        var experts = await index.Queries.FileExpertsAsync(Repo, ThisPr, paths, Ct);

        Assert.Equal([7, 6, 5, 4, 3], related.Select(r => r.Number));
        Assert.Equal(12, related[0].SharedFiles);
        Assert.Equal(paths[..KnowledgeQueries.MaxSharedPaths], related[0].SharedPaths);
        Assert.Equal(KnowledgeQueries.Top, experts.Count);
        Assert.Empty(await index.Queries.OpenConflictsAsync(Repo, ThisPr, [], Ct));
    }
}
