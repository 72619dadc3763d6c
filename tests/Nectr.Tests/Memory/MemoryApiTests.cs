using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>/api/v1/memory through the front door, signed in: create, list, stats, edit, delete, near-duplicates.</summary>
public sealed class MemoryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Dictionary<string, string?> NoWorker => new() { ["REVIEW_CONCURRENCY"] = "0" };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_memory_is_created_listed_counted_edited_and_deleted(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);

        using var createdResponse = await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "  Use file-scoped namespaces.\n", memory_type = "project_rule" });
        var location = createdResponse.Headers.Location;
        var rule = await MemoryApi.ExpectAsync(createdResponse, HttpStatusCode.Created);
        var pattern = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "ACME/Alpha", content = "Prefers small, focused pull requests.", memory_type = "developer_pattern", developer = "bob" }),
            HttpStatusCode.Created);
        var ruleId = rule.GetProperty("id").GetInt64();
        var patternId = pattern.GetProperty("id").GetInt64();

        var all = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory?repo=acme/alpha", Ct), HttpStatusCode.OK);
        var rules = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory?repo=acme/alpha&memory_type=project_rule", Ct), HttpStatusCode.OK);
        var secondPage = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory?repo=acme/alpha&per_page=1&page=2", Ct), HttpStatusCode.OK);
        var stats = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory/stats?repo=acme/alpha", Ct), HttpStatusCode.OK);
        var edited = await MemoryApi.ExpectAsync(
            await MemoryApi.PatchAsync(client, ruleId, new { content = "Use file-scoped namespaces in every file.", memory_type = "code_pattern" }), HttpStatusCode.OK);
        var cleared = await MemoryApi.ExpectAsync(await MemoryApi.PatchAsync(client, patternId, new { developer = (string?)null }), HttpStatusCode.OK);
        var read = await MemoryApi.ExpectAsync(await client.GetAsync($"/api/v1/memory/{ruleId}", Ct), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Delete, $"/api/v1/memory/{ruleId}"), HttpStatusCode.NoContent);
        await MemoryApi.ExpectAsync(await client.GetAsync($"/api/v1/memory/{ruleId}", Ct), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Delete, $"/api/v1/memory/{ruleId}"), HttpStatusCode.NotFound);
        var left = await app.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));

        Assert.Equal($"/api/v1/memory/{ruleId}", location?.OriginalString);
        Assert.Equal("acme/alpha", rule.GetProperty("repository").GetString());
        Assert.Equal("project_rule", rule.GetProperty("memory_type").GetString());
        Assert.Equal("Use file-scoped namespaces.", rule.GetProperty("content").GetString());
        Assert.Equal(JsonValueKindNull, rule.GetProperty("developer").ValueKind);
        Assert.Equal(JsonValueKindNull, rule.GetProperty("source_pull_number").ValueKind);
        Assert.Equal("alice", rule.GetProperty("created_by").GetString());
        Assert.Equal("acme/alpha", pattern.GetProperty("repository").GetString()); // GitHub's spelling, whatever case was typed
        Assert.Equal("bob", pattern.GetProperty("developer").GetString());

        Assert.Equal(2, all.GetProperty("total").GetInt32());
        Assert.Equal([patternId, ruleId], all.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal([ruleId], rules.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));
        Assert.Equal(2, secondPage.GetProperty("total").GetInt32());
        Assert.Equal([ruleId], secondPage.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("id").GetInt64()));

        Assert.Equal("acme/alpha", stats.GetProperty("repository").GetString());
        Assert.Equal(2, stats.GetProperty("total").GetInt32());
        var byType = stats.GetProperty("by_type").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt32());
        Assert.Equal(["project_rule", "code_pattern", "decision", "developer_pattern", "developer_strength", "contributor_profile", "project_map"], byType.Keys);
        Assert.Equal(1, byType["project_rule"]);
        Assert.Equal(1, byType["developer_pattern"]);
        Assert.Equal(0, byType["decision"]);

        Assert.Equal("Use file-scoped namespaces in every file.", edited.GetProperty("content").GetString());
        Assert.Equal("code_pattern", edited.GetProperty("memory_type").GetString());
        Assert.True(edited.GetProperty("updated_at").GetDateTime() >= edited.GetProperty("created_at").GetDateTime());
        Assert.Equal(JsonValueKindNull, cleared.GetProperty("developer").ValueKind);
        Assert.Equal("Prefers small, focused pull requests.", cleared.GetProperty("content").GetString());
        Assert.Equal("Use file-scoped namespaces in every file.", read.GetProperty("content").GetString());

        var remaining = Assert.Single(left);
        Assert.Equal(patternId, remaining.Id);
        Assert.Equal(5001, remaining.RepositoryGitHubId);
        Assert.Equal(user.Id, remaining.CreatedByUserId);
        Assert.Null(remaining.Developer);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_near_duplicate_of_the_same_type_and_developer_updates_the_existing_memory_instead_of_adding_a_copy(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);
        const string Rule = "Never log access tokens, even at Debug level.";

        var first = await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = Rule, memory_type = "project_rule" }), HttpStatusCode.Created);
        var again = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "never log  access tokens even at DEBUG level", memory_type = "project_rule" }), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = Rule, memory_type = "decision" }), HttpStatusCode.Created);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = Rule, memory_type = "project_rule", developer = "bob" }), HttpStatusCode.Created);
        var bobAgain = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = Rule, memory_type = "project_rule", developer = "BOB" }), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Log access tokens, even at Debug level.", memory_type = "project_rule" }), HttpStatusCode.Created);
        var rows = await app.QueryAsync(db => db.Memories.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct));

        Assert.Equal(first.GetProperty("id").GetInt64(), again.GetProperty("id").GetInt64());
        Assert.Equal("never log  access tokens even at DEBUG level", again.GetProperty("content").GetString()); // the newer wording wins
        Assert.True(again.GetProperty("updated_at").GetDateTime() >= first.GetProperty("updated_at").GetDateTime());
        Assert.Equal("bob", bobAgain.GetProperty("developer").GetString());
        Assert.Equal(4, rows.Count); // the rule; the decision; bob's rule; the reversed rule
        Assert.Equal(["project_rule", "decision", "project_rule", "project_rule"], rows.Select(r => r.Type));
    }

    [Fact]
    public async Task Only_connected_repositories_take_new_memories_and_a_disconnected_one_keeps_its_own()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: NoWorker);
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/never", 5002, connected: false);
        var kept = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Migrations for both providers.", memory_type = "decision" }), HttpStatusCode.Created);
        await app.QueryAsync(db => db.Repositories.Where(r => r.GitHubId == 5001).ExecuteUpdateAsync(r => r.SetProperty(x => x.Connected, false), Ct));

        var refused = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/never", content = "A rule.", memory_type = "project_rule" }), HttpStatusCode.Conflict);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Another rule.", memory_type = "project_rule" }), HttpStatusCode.Conflict);
        var neverList = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory?repo=acme/never", Ct), HttpStatusCode.OK);
        var alphaList = await MemoryApi.ExpectAsync(await client.GetAsync("/api/v1/memory?repo=acme/alpha", Ct), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(await MemoryApi.PatchAsync(client, kept.GetProperty("id").GetInt64(), new { content = "Migrations for both database providers." }), HttpStatusCode.OK);

        Assert.Equal("Repository not connected", refused.GetProperty("title").GetString());
        Assert.Contains("acme/never", refused.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, neverList.GetProperty("total").GetInt32());
        Assert.Equal(1, alphaList.GetProperty("total").GetInt32());
    }

    private const System.Text.Json.JsonValueKind JsonValueKindNull = System.Text.Json.JsonValueKind.Null;
}
