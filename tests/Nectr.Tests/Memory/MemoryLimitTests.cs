using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>MEMORY_MAX_PER_REPOSITORY for what people add: the API and the Memory page's form at the limit.</summary>
public sealed class MemoryLimitTests
{
    private const int Limit = 10;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task At_the_limit_a_new_memory_is_refused_with_409_a_near_duplicate_still_updates_and_a_delete_makes_room(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["MEMORY_MAX_PER_REPOSITORY"] = $"{Limit}" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/alpha", 5001);
        await MemoryApi.ConnectedAsync(app, user.Id, "acme/beta", 5002);
        await SeedAsync(app, "acme/alpha", Limit);

        using var refused = await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Deploys happen on Tuesdays only.", memory_type = "decision" });
        var refusedText = await refused.Content.ReadAsStringAsync(Ct);
        var merged = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Seeded fact 3 about component3!", memory_type = "project_rule" }), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(await MemoryApi.PostAsync(client, new { repo = "acme/beta", content = "Deploys happen on Tuesdays only.", memory_type = "decision" }),
            HttpStatusCode.Created);
        var form = await MemoryApi.PostFormAsync(client, "/memory/add", ("repo", "acme/alpha"), ("memory_type", "decision"), ("content", "Deploys happen on Tuesdays only."));
        var page = await client.GetStringAsync(new Uri(form, UriKind.Relative), Ct);
        var countAtLimit = await app.QueryAsync(db => db.Memories.CountAsync(m => m.RepositoryFullName == "acme/alpha", Ct));

        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(client, HttpMethod.Delete, $"/api/v1/memory/{merged.GetProperty("id").GetInt64()}"), HttpStatusCode.NoContent);
        var afterDelete = await MemoryApi.ExpectAsync(
            await MemoryApi.PostAsync(client, new { repo = "acme/alpha", content = "Deploys happen on Tuesdays only.", memory_type = "decision" }), HttpStatusCode.Created);

        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Repository memory is full", refusedText, StringComparison.Ordinal);
        Assert.Contains("acme/alpha keeps 10 memories", refusedText, StringComparison.Ordinal);
        Assert.Contains("MEMORY_MAX_PER_REPOSITORY", refusedText, StringComparison.Ordinal);
        Assert.Equal("Seeded fact 3 about component3!", merged.GetProperty("content").GetString());
        Assert.Equal("/memory?repo=acme%2Falpha&notice=full", form);
        Assert.Contains("Not added: this repository keeps as many memories as it may (MEMORY_MAX_PER_REPOSITORY).", page, StringComparison.Ordinal);
        Assert.Equal(Limit, countAtLimit);
        Assert.Equal("Deploys happen on Tuesdays only.", afterDelete.GetProperty("content").GetString());
        Assert.Equal(Limit, await app.QueryAsync(db => db.Memories.CountAsync(m => m.RepositoryFullName == "acme/alpha", Ct)));
    }

    /// <summary><paramref name="count"/> memories a person wrote, none a near-duplicate of another.</summary>
    internal static Task SeedAsync(NectrApp app, string repo, int count) => app.QueryAsync(db =>
    {
        var at = DateTime.UtcNow.AddDays(-1);
        db.Memories.AddRange(Enumerable.Range(0, count).Select(i => new MemoryRecord
        {
            RepositoryFullName = repo, RepositoryGitHubId = 5001, Type = "project_rule", Content = $"Seeded fact {i} about component{i}.", Source = MemorySources.User,
            CreatedAt = at.AddMinutes(i), UpdatedAt = at.AddMinutes(i),
        }));
        return db.SaveChangesAsync(Ct);
    });
}
