using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>What /api/v1/memory refuses: no session, no antiforgery token, and every malformed field, each by name.</summary>
public sealed class MemoryValidationTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changes_without_the_antiforgery_token_are_refused_and_change_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        using var anonymous = app.CreateClient(new() { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);
        var memory = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Keep it.", memory_type = "project_rule" }), HttpStatusCode.Created);
        var id = memory.GetProperty("id").GetInt64();

        var post = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Post, "/api/v1/memory",
            """{"repo": "acme/alpha", "content": "Added without a token.", "memory_type": "project_rule"}""", antiforgery: false), HttpStatusCode.BadRequest);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Patch, $"/api/v1/memory/{id}", """{"content": "Changed."}""", antiforgery: false), HttpStatusCode.BadRequest);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Delete, $"/api/v1/memory/{id}", antiforgery: false), HttpStatusCode.BadRequest);
        await MemoryApi.ExpectAsync(await anonymous.GetAsync("/api/v1/memory?repo=acme/alpha", Ct), HttpStatusCode.Unauthorized);
        var rows = await app.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));

        Assert.Equal("Missing or invalid antiforgery token", post.GetProperty("title").GetString());
        Assert.Equal("Keep it.", Assert.Single(rows).Content);
    }

    [Fact]
    public async Task Every_invalid_field_is_a_validation_problem_that_names_it()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);
        var longest = new string('x', 2000);
        var memory = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = longest, memory_type = "project_map" }), HttpStatusCode.Created);
        var id = memory.GetProperty("id").GetInt64();

        async Task<string[]> Post(string json) => await MemoryApi.ValidationErrorsAsync(await MemoryApi.SendAsync(client, HttpMethod.Post, "/api/v1/memory", json));
        async Task<string[]> Patch(string json) => await MemoryApi.ValidationErrorsAsync(await MemoryApi.SendAsync(client, HttpMethod.Patch, $"/api/v1/memory/{id}", json));
        async Task<string[]> Get(string path) => await MemoryApi.ValidationErrorsAsync(await client.GetAsync(path, Ct));
        const string Ok = "\"repo\": \"acme/alpha\", \"memory_type\": \"project_rule\"";

        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": ""}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": " \n\t "}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": "{{longest}}y"}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": "before\u0000after"}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": "bell\u0007"}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": "half \ud800 a pair"}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": 42}"""));
        Assert.Equal(["content"], await Post("""{"repo": "acme/alpha", "memory_type": "project_rule"}"""));
        Assert.Equal(["memory_type"], await Post("""{"repo": "acme/alpha", "content": "A rule.", "memory_type": "rule"}"""));
        Assert.Equal(["memory_type"], await Post("""{"repo": "acme/alpha", "content": "A rule.", "memory_type": "Project_Rule"}"""));
        Assert.Equal(["memory_type"], await Post("""{"repo": "acme/alpha", "content": "A rule.", "memory_type": ["project_rule"]}"""));
        Assert.Equal(["developer"], await Post($$"""{{{Ok}}, "content": "A rule.", "developer": 7}"""));
        Assert.Equal(["developer"], await Post($$"""{{{Ok}}, "content": "A rule.", "developer": "not a login!"}"""));
        Assert.Equal(["repo"], await Post("""{"repo": "acme", "content": "A rule.", "memory_type": "project_rule"}"""));
        Assert.Equal(["repo"], await Post("""{"repo": true, "content": "A rule.", "memory_type": "project_rule"}"""));
        Assert.Equal(["repo", "content", "memory_type"], await Post("{}"));
        Assert.Equal(["memroy_type"], await Post($$"""{{{Ok}}, "content": "A rule.", "memroy_type": "decision"}"""));
        Assert.Equal(["content"], await Post($$"""{{{Ok}}, "content": "A rule.", "content": "Another."}"""));
        Assert.Equal(["body"], await Post("""["project_rule"]"""));
        Assert.Equal(["content"], await Patch("""{"content": null}"""));
        Assert.Equal(["memory_type"], await Patch("""{"memory_type": "x"}"""));
        Assert.Equal(["repo"], await Patch("""{"repo": "acme/alpha"}"""));
        Assert.Equal(["repo"], await Get("/api/v1/memory"));
        Assert.Equal(["memory_type"], await Get("/api/v1/memory?repo=acme/alpha&memory_type=bogus"));
        Assert.Equal(["repo"], await Get("/api/v1/memory/stats?repo=..%2F.."));

        var malformed = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Post, "/api/v1/memory", "{\"repo\":"), HttpStatusCode.BadRequest);
        var notJson = await MemoryApi.SendAsync(client, HttpMethod.Post, "/api/v1/memory", null);
        await MemoryApi.ExpectAsync(notJson, HttpStatusCode.UnsupportedMediaType);
        await MemoryApi.ExpectAsync(
            await MemoryApi.SendAsync(client, HttpMethod.Post, "/api/v1/memory", $$"""{{{Ok}}, "content": "{{new string(' ', 40_000)}}x"}"""), HttpStatusCode.RequestEntityTooLarge);
        var rows = await app.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));

        Assert.Equal("Invalid JSON", malformed.GetProperty("title").GetString());
        Assert.Equal(longest, Assert.Single(rows).Content); // 2,000 characters fit; nothing refused was stored
    }
}
