using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>The project scan through POST /api/v1/memory/rescan: what it reads, what it stores, and that a rescan replaces.</summary>
public sealed class ProjectScanTests
{
    private const string Owner = "acme";
    private const string Repo = "shop";
    private const string FullName = Owner + "/" + Repo;
    private const string RescanPath = "/api/v1/memory/rescan?repo=" + FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_scan_maps_the_readme_manifests_and_layout_and_a_rescan_replaces_that_map_instead_of_appending(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.DefaultBranch = "trunk";
        github.AddFile(Owner, Repo, "README.md", "# Shop\n\n[![build](https://x/badge.svg)](https://x)\n\nA small web shop: a [.NET](https://dot.net) API and a React front end.\n\n## Setup\n\nRun it.");
        github.AddFile(Owner, Repo, "global.json", """{"sdk":{"version":"10.0.100"}}""");
        github.AddFile(Owner, Repo, "api/Shop.Api.csproj", "<Project Sdk=\"Microsoft.NET.Sdk.Web\"><PropertyGroup><TargetFramework>net10.0</TargetFramework></PropertyGroup><ItemGroup><PackageReference Include=\"Npgsql\" /></ItemGroup></Project>");
        github.AddFile(Owner, Repo, "web/package.json", """{"name":"shop-web","scripts":{"build":"vite build","test":"vitest"},"dependencies":{"react":"^19.0.0"}}""");
        github.AddFile(Owner, Repo, "web/src/App.tsx", "export default function App() {}");
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, FullName, 5001);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = FullName, content = "Payments live in src/Shop.Payments.", memory_type = "project_map" }), HttpStatusCode.Created);

        var first = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Post, RescanPath), HttpStatusCode.OK);
        github.AddFile(Owner, Repo, "go.mod", "module example.com/shop/tools\n\ngo 1.23\n");
        var second = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Post, RescanPath), HttpStatusCode.OK);

        var contents = second.GetProperty("memories").EnumerateArray().Select(m => m.GetProperty("content").GetString()!).ToList();
        Assert.Equal("trunk", second.GetProperty("default_branch").GetString());
        Assert.Equal(5, first.GetProperty("memories").GetArrayLength());
        Assert.Equal(
        [
            "Layout (default branch trunk): top-level directories api/, web/; top-level files README.md, global.json, go.mod.",
            "README (README.md): Shop. A small web shop: a .NET API and a React front end.",
            ".NET project api/Shop.Api.csproj: SDK Microsoft.NET.Sdk.Web; targets net10.0; packages Npgsql.",
            "build file global.json.",
            "Go module go.mod: module example.com/shop/tools; Go 1.23.",
            "Node.js package web/package.json: name shop-web; scripts build, test; dependencies react.",
        ], contents);
        var rows = await app.QueryAsync(db => db.Memories.AsNoTracking().Where(m => m.Type == "project_map").ToListAsync(Ct));
        Assert.Equal(7, rows.Count); // six scanned, one written by a person: the first scan's five are gone
        Assert.Single(rows, r => r.Source == MemorySources.User);
        Assert.All(second.GetProperty("memories").EnumerateArray(), m => Assert.Equal("nectr", m.GetProperty("created_by").GetString()));
        Assert.DoesNotContain(github.Requests, r => r.PathAndQuery.Contains("recursive", StringComparison.Ordinal));
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rescan_is_404_for_a_repository_the_caller_cannot_see_409_when_not_connected_and_refused_without_antiforgery(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, a) = await app.SignedInClientAsync("alice", 1001);
        var (bob, b) = await app.SignedInClientAsync("bob", 1002);
        using var _ = alice;
        using var __ = bob;
        await MemoryApi.ConnectedAsync(app, a.Id, FullName, 5001);
        await MemoryApi.ConnectedAsync(app, b.Id, "bob/idle", 5002, connected: false);

        var hidden = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(bob, HttpMethod.Post, RescanPath), HttpStatusCode.NotFound);
        var idle = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(bob, HttpMethod.Post, "/api/v1/memory/rescan?repo=bob/idle"), HttpStatusCode.Conflict);
        using var forged = await MemoryApi.SendAsync(alice, HttpMethod.Post, RescanPath, antiforgery: false);
        var invalid = await MemoryApi.ValidationErrorsAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/memory/rescan?repo=nope"));

        Assert.Equal("Repository not found", hidden.GetProperty("title").GetString());
        Assert.Equal("Repository not connected", idle.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Equal(["repo"], invalid);
        Assert.Empty(await app.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct)));
        Assert.Empty(github.Requests);
    }
}
