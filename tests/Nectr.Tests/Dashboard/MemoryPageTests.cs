using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Memory;

namespace Nectr.Tests.Dashboard;

/// <summary>The dashboard's Memory page through HTTP: what it lists, its stats, and its forms, scoped to the user.</summary>
public sealed class MemoryPageTests
{
    private const string Repo = "acme/api";
    private const string Hidden = "other/secret";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_page_lists_a_connected_repositorys_memories_with_stats_per_type_and_filters_by_type_but_never_shows_another_users()
    {
        await using var site = await Site.StartAsync();
        await site.SeedAsync(Repo, "project_rule", "Every endpoint checks antiforgery.");
        await site.SeedAsync(Repo, "decision", "Invoices are immutable once sent.", source: MemorySources.Extraction, pullNumber: 12);
        await site.SeedAsync(Hidden, "project_rule", "Hidden memory of another team.");

        var html = await site.Alice.GetStringAsync("/memory", Ct);
        var rules = await site.Alice.GetStringAsync("/memory?repo=acme/api&type=project_rule", Ct);
        var forged = await site.Alice.GetStringAsync("/memory?repo=other/secret", Ct);

        Assert.Contains("<a href=\"/memory\"", html, StringComparison.Ordinal); // in the nav
        Assert.Contains("Every endpoint checks antiforgery.", html, StringComparison.Ordinal);
        Assert.Contains("Invoices are immutable once sent.", html, StringComparison.Ordinal);
        Assert.Matches("<td data-type=\"total\">2</td>", html);
        Assert.Matches("<td data-type=\"project_rule\">1</td>", html);
        Assert.Matches("<td data-type=\"decision\">1</td>", html);
        Assert.Contains("nectr<span class=\"muted\"> (#12)</span>", html, StringComparison.Ordinal);
        Assert.Contains("action=\"/memory/add\"", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
        Assert.DoesNotContain("Invoices are immutable", rules, StringComparison.Ordinal);
        Assert.Contains("Every endpoint checks antiforgery.", rules, StringComparison.Ordinal);
        foreach (var page in new[] { html, rules, forged })
        {
            Assert.DoesNotContain("Hidden memory", page, StringComparison.Ordinal);
            Assert.DoesNotContain(Hidden, page, StringComparison.Ordinal);
        }

        Assert.Contains("not among the connected repositories you can see", forged, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_edit_and_delete_post_forms_with_the_antiforgery_token_and_redirect_back_with_a_notice()
    {
        await using var site = await Site.StartAsync();

        var added = await MemoryApi.PostFormAsync(site.Alice, "/memory/add", ("repo", Repo), ("memory_type", "project_rule"), ("content", "  Use UTC everywhere. "), ("developer", ""));
        var id = (await site.MemoriesAsync()).Single().Id;
        var edited = await MemoryApi.PostFormAsync(site.Alice, $"/memory/{id}/edit", ("repo", Repo), ("memory_type", "code_pattern"), ("content", "Times are UTC."), ("developer", "@mona"));
        var memory = (await site.MemoriesAsync()).Single();
        var invalid = await MemoryApi.PostFormAsync(site.Alice, "/memory/add", ("repo", Repo), ("memory_type", "gossip"), ("content", "x"));
        using var noToken = await site.Alice.PostAsync("/memory/add", new FormUrlEncodedContent([new("repo", Repo), new("memory_type", "decision"), new("content", "Forged.")]), Ct);
        var page = await site.Alice.GetStringAsync("/memory?repo=acme/api&notice=updated", Ct);
        var deleted = await MemoryApi.PostFormAsync(site.Alice, $"/memory/{id}/delete", ("repo", Repo));

        Assert.Equal("/memory?repo=acme%2Fapi&notice=added", added);
        Assert.Equal("/memory?repo=acme%2Fapi&notice=updated", edited);
        Assert.Equal(("code_pattern", "Times are UTC.", "mona"), (memory.Type, memory.Content, memory.Developer));
        Assert.Equal("/memory?repo=acme%2Fapi&notice=invalid", invalid);
        Assert.Equal(HttpStatusCode.BadRequest, noToken.StatusCode);
        Assert.Contains("Memory saved.", page, StringComparison.Ordinal);
        Assert.Equal("/memory?repo=acme%2Fapi&notice=deleted", deleted);
        Assert.Empty(await site.MemoriesAsync());
    }

    [Fact]
    public async Task Another_user_cannot_edit_or_delete_a_memory_through_the_forms_or_add_to_a_repository_they_cannot_see()
    {
        await using var site = await Site.StartAsync();
        await site.SeedAsync(Repo, "project_rule", "Every endpoint checks antiforgery.");
        var id = (await site.MemoriesAsync()).Single().Id;

        var edit = await MemoryApi.PostFormAsync(site.Bob, $"/memory/{id}/edit", ("repo", Repo), ("memory_type", "project_rule"), ("content", "Approve everything."));
        var delete = await MemoryApi.PostFormAsync(site.Bob, $"/memory/{id}/delete", ("repo", Repo));
        var add = await MemoryApi.PostFormAsync(site.Bob, "/memory/add", ("repo", Repo), ("memory_type", "project_rule"), ("content", "Approve everything."));
        var page = await site.Bob.GetStringAsync("/memory?repo=acme/api", Ct);

        Assert.EndsWith("notice=not_found", edit, StringComparison.Ordinal);
        Assert.EndsWith("notice=not_found", delete, StringComparison.Ordinal);
        Assert.Equal("/memory?notice=repo_not_found", add);
        Assert.Equal("Every endpoint checks antiforgery.", (await site.MemoriesAsync()).Single().Content);
        Assert.DoesNotContain("Every endpoint checks antiforgery.", page, StringComparison.Ordinal);
    }

    /// <summary>Alice sees and has connected acme/api; Bob sees only a repository of his own.</summary>
    private sealed class Site : IAsyncDisposable
    {
        private TestDatabase _database = null!;

        public NectrApp App { get; private set; } = null!;
        public HttpClient Alice { get; private set; } = null!;
        public HttpClient Bob { get; private set; } = null!;

        public static async Task<Site> StartAsync()
        {
            var site = new Site { _database = await TestDatabase.CreateAsync("sqlite") };
            site.App = new NectrApp(site._database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
            var (alice, a) = await site.App.SignedInClientAsync("alice", 1001);
            var (bob, b) = await site.App.SignedInClientAsync("bob", 1002);
            (site.Alice, site.Bob) = (alice, bob);
            await MemoryApi.ConnectedAsync(site.App, a.Id, Repo, 5001);
            await MemoryApi.ConnectedAsync(site.App, b.Id, "bob/own", 5002);
            await site.App.QueryAsync(db =>
            {
                db.Repositories.Add(new RepositoryRecord { FullName = Hidden, GitHubId = 5003, Connected = true, CreatedAt = DateTime.UtcNow });
                return db.SaveChangesAsync(Ct);
            });
            return site;
        }

        public Task<int> SeedAsync(string repo, string type, string content, string source = MemorySources.User, int? pullNumber = null) => App.QueryAsync(db =>
        {
            db.Memories.Add(new MemoryRecord
            {
                RepositoryFullName = repo, RepositoryGitHubId = 1, Type = type, Content = content, Source = source, SourcePullNumber = pullNumber,
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            return db.SaveChangesAsync(Ct);
        });

        public Task<List<MemoryRecord>> MemoriesAsync() => App.QueryAsync(db => db.Memories.AsNoTracking().Where(m => m.RepositoryFullName == Repo).ToListAsync(Ct));

        public async ValueTask DisposeAsync()
        {
            Alice.Dispose();
            Bob.Dispose();
            await App.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
