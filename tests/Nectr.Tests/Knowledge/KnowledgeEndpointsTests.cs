using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Sync;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Memory;
using Nectr.Tests.Repos;

namespace Nectr.Tests.Knowledge;

/// <summary>
/// <c>GET /api/v1/repos/{owner}/{repo}/files</c>, <c>/graph</c> and <c>POST …/rescan</c> through the front door, on
/// both databases: scoped to the caller's repositories, rescan behind antiforgery; and connecting queues the backfill.
/// </summary>
public sealed class KnowledgeEndpointsTests
{
    private const string Repo = "acme/api";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private sealed class Kit(TestDatabase database, FakeGitHub github, NectrApp app, HttpClient alice, HttpClient bob) : IAsyncDisposable
    {
        public FakeGitHub GitHub => github;
        public NectrApp App => app;
        public HttpClient Alice => alice;
        public HttpClient Bob => bob;

        public static async Task<Kit> StartAsync(string provider, bool connected = true)
        {
            var database = await TestDatabase.CreateAsync(provider);
            var github = await FakeGitHub.StartAsync();
            var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" });
            var (alice, aliceUser) = await app.SignedInClientAsync("alice", 1001);
            var (bob, bobUser) = await app.SignedInClientAsync("bob", 1002);
            await MemoryApi.ConnectedAsync(app, aliceUser.Id, Repo, 42, connected);
            await MemoryApi.ConnectedAsync(app, bobUser.Id, "bob/own", 43);
            var index = app.Services.GetRequiredService<KnowledgeIndex>();
            var t0 = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
            foreach (var (number, paths) in new[] { (1, new[] { "src/a.cs", "src/b.cs" }), (2, ["src/a.cs", "src/b.cs"]), (3, ["src/a.cs", "docs/guide.md"]) })
            {
                await index.RecordPullRequestAsync(new PullRequestFacts(Repo, number, "t", "carol", false, PullRequestStates.Merged, t0, new string('a', 40), t0), paths, Ct);
            }

            return new Kit(database, github, app, alice, bob);
        }

        public async ValueTask DisposeAsync()
        {
            alice.Dispose();
            bob.Dispose();
            await app.DisposeAsync();
            await github.DisposeAsync();
            await database.DisposeAsync();
        }
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Files_lists_the_default_branch_tree_with_language_size_and_pr_count(string provider)
    {
        await using var kit = await Kit.StartAsync(provider);
        kit.GitHub.DefaultBranch = "trunk";
        kit.GitHub.AddFile("acme", "api", "src/a.cs", "class A {}");
        kit.GitHub.AddFile("acme", "api", "README.md", "# api");
        kit.GitHub.AddFile("acme", "api", "docs/guide.md", "guide");
        kit.GitHub.AddFile("acme", "api", "src/only-on-a-branch.cs", "x", gitRef: "feature");

        var json = await MemoryApi.ExpectAsync(await kit.Alice.GetAsync("/api/v1/repos/ACME/api/files", Ct), HttpStatusCode.OK);

        Assert.Equal((Repo, "trunk", 3, 3, false), (json.GetProperty("repo").GetString(), json.GetProperty("default_branch").GetString(),
            json.GetProperty("count").GetInt32(), json.GetProperty("total").GetInt32(), json.GetProperty("truncated").GetBoolean()));
        Assert.Equal(
            [("README.md", "Markdown", 5L, 0), ("docs/guide.md", "Markdown", 5L, 1), ("src/a.cs", "C#", 10L, 3)],
            json.GetProperty("files").EnumerateArray().Select(f => (f.GetProperty("path").GetString(), f.GetProperty("language").GetString(), f.GetProperty("size").GetInt64(), f.GetProperty("pr_count").GetInt32())));
        Assert.Contains(kit.GitHub.Requests, r => r.PathAndQuery == "/repos/acme/api/git/trees/trunk?recursive=1");
        kit.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Graph_gives_the_most_touched_files_as_nodes_and_co_changes_as_weighted_links(string provider)
    {
        await using var kit = await Kit.StartAsync(provider);

        var json = await MemoryApi.ExpectAsync(await kit.Alice.GetAsync("/api/v1/repos/acme/api/graph", Ct), HttpStatusCode.OK);

        Assert.Equal(Repo, json.GetProperty("repo").GetString());
        Assert.Equal([("src/a.cs", "C#", 3), ("src/b.cs", "C#", 2), ("docs/guide.md", "Markdown", 1)],
            json.GetProperty("nodes").EnumerateArray().Select(n => (n.GetProperty("id").GetString(), n.GetProperty("language").GetString(), n.GetProperty("pr_count").GetInt32())));
        Assert.Equal([("src/a.cs", "src/b.cs", 2), ("docs/guide.md", "src/a.cs", 1)],
            json.GetProperty("links").EnumerateArray().Select(l => (l.GetProperty("source").GetString(), l.GetProperty("target").GetString(), l.GetProperty("weight").GetInt32())));
        Assert.Empty(kit.GitHub.Requests); // from the index alone
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rescan_needs_antiforgery_and_requeues_the_backfill_from_the_beginning(string provider)
    {
        await using var kit = await Kit.StartAsync(provider);
        await kit.App.Services.GetRequiredService<RepositorySync>().EnqueueAsync(Repo, KnowledgeBackfill.KindName, Ct);
        await kit.App.QueryAsync(db => db.SyncJobs.ExecuteUpdateAsync(u => u.SetProperty(j => j.Status, SyncJobStatus.Failed).SetProperty(j => j.Cursor, "2:40").SetProperty(j => j.LastError, "gave up")));

        var refused = await MemoryApi.SendAsync(kit.Alice, HttpMethod.Post, "/api/v1/repos/acme/api/rescan", antiforgery: false);
        ProblemAssert.IsProblem(refused, HttpStatusCode.BadRequest);
        Assert.Equal(SyncJobStatus.Failed, (await kit.App.QueryAsync(db => db.SyncJobs.SingleAsync())).Status);

        var json = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(kit.Alice, HttpMethod.Post, "/api/v1/repos/acme/api/rescan"), HttpStatusCode.Accepted);

        Assert.Equal(("queued", Repo, KnowledgeBackfill.KindName), (json.GetProperty("status").GetString(), json.GetProperty("repo").GetString(), json.GetProperty("kind").GetString()));
        var job = await kit.App.QueryAsync(db => db.SyncJobs.SingleAsync());
        Assert.Equal((SyncJobStatus.Queued, (string?)null, (string?)null, 0), (job.Status, job.Cursor, job.LastError, job.Attempts));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_users_repository_is_404_for_every_call_and_a_signed_out_caller_is_401(string provider)
    {
        await using var kit = await Kit.StartAsync(provider);

        ProblemAssert.IsProblem(await kit.Bob.GetAsync("/api/v1/repos/acme/api/files", Ct), HttpStatusCode.NotFound);
        ProblemAssert.IsProblem(await kit.Bob.GetAsync("/api/v1/repos/acme/api/graph", Ct), HttpStatusCode.NotFound);
        ProblemAssert.IsProblem(await MemoryApi.SendAsync(kit.Bob, HttpMethod.Post, "/api/v1/repos/acme/api/rescan"), HttpStatusCode.NotFound);
        using var anonymous = kit.App.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/repos/acme/api/graph", Ct)).StatusCode);
        Assert.Equal(0, await kit.App.QueryAsync(db => db.SyncJobs.CountAsync()));
        Assert.Empty(kit.GitHub.Requests);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rescan_of_a_repository_that_is_not_connected_is_409_and_queues_nothing(string provider)
    {
        await using var kit = await Kit.StartAsync(provider, connected: false);

        ProblemAssert.IsProblem(await MemoryApi.SendAsync(kit.Alice, HttpMethod.Post, "/api/v1/repos/acme/api/rescan"), HttpStatusCode.Conflict);
        Assert.Equal(0, await kit.App.QueryAsync(db => db.SyncJobs.CountAsync()));
    }
}
