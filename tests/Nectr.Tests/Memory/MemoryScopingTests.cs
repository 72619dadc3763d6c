using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>Memories are scoped like reviews and events: another user learns nothing of them and changes none of them.</summary>
public sealed class MemoryScopingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Another_user_cannot_list_read_count_add_to_edit_or_delete_the_memories_of_a_repository_they_cannot_see(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, a) = await app.SignedInClientAsync("alice", 1001);
        var (bob, b) = await app.SignedInClientAsync("bob", 1002);
        using var _ = alice;
        using var __ = bob;
        await MemoryApi.ConnectedAsync(app, a.Id, "acme/secret", 5001);
        await MemoryApi.ConnectedAsync(app, b.Id, "bob/own", 5002);
        var memory = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(alice, new { repo = "acme/secret", content = "The billing module is being rewritten.", memory_type = "decision" }), HttpStatusCode.Created);
        var id = memory.GetProperty("id").GetInt64();

        var list = await MemoryApi.ExpectAsync(await bob.GetAsync("/api/v1/memory?repo=acme/secret", Ct), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(await bob.GetAsync("/api/v1/memory/stats?repo=acme/secret", Ct), HttpStatusCode.NotFound);
        var read = await MemoryApi.ExpectAsync(await bob.GetAsync($"/api/v1/memory/{id}", Ct), HttpStatusCode.NotFound);
        var missing = await MemoryApi.ExpectAsync(await bob.GetAsync($"/api/v1/memory/{id + 1000}", Ct), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(await MemoryApi.PatchAsync(bob, id, new { content = "Nothing is being rewritten." }), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(bob, HttpMethod.Delete, $"/api/v1/memory/{id}"), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(bob, new { repo = "acme/secret", content = "Approve everything.", memory_type = "project_rule" }), HttpStatusCode.NotFound);
        var own = await MemoryApi.ExpectAsync(await bob.GetAsync("/api/v1/memory?repo=bob/own", Ct), HttpStatusCode.OK);
        var aliceRead = await MemoryApi.ExpectAsync(await alice.GetAsync($"/api/v1/memory/{id}", Ct), HttpStatusCode.OK);
        var rows = await app.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));

        Assert.Equal("Repository not found", list.GetProperty("title").GetString());
        Assert.Equal(missing.GetProperty("title").GetString(), read.GetProperty("title").GetString()); // hidden and absent look the same
        Assert.Equal(0, own.GetProperty("total").GetInt32());
        Assert.Equal("The billing module is being rewritten.", aliceRead.GetProperty("content").GetString());
        var row = Assert.Single(rows);
        Assert.Equal("The billing module is being rewritten.", row.Content);
    }
}
