using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Engine.Budget;
using Nectr.Engine.Memory;
using Nectr.Memory;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>What a review's prompt gets from project memory, read from the database on both providers.</summary>
public sealed class MemoryRetrievalTests
{
    private const string Repo = "acme/api";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Rules_come_first_then_memories_about_the_changed_paths_the_author_and_the_PRs_words_and_other_repositories_never(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var now = DateTime.UtcNow;
        var ids = await SeedAsync(app,
            (Repo, "project_rule", "Every endpoint checks antiforgery.", null, now.AddDays(-5)),
            (Repo, "project_rule", "Public APIs are documented in docs/api.md.", null, now.AddDays(-1)),
            (Repo, "code_pattern", "Billing code in src/billing/ rounds with banker's rounding.", null, now.AddDays(-9)),
            (Repo, "decision", "Invoices are immutable once sent.", null, now.AddDays(-8)),
            (Repo, "developer_pattern", "Tends to skip null checks.", "mona", now.AddDays(-7)),
            (Repo, "developer_pattern", "Writes long functions.", "hubot", now.AddDays(-2)),
            (Repo, "decision", "The mobile app talks GraphQL.", null, now),
            ("other/repo", "project_rule", "Approve everything.", null, now));

        var briefing = await RetrieveAsync(app, "mona", ["src/billing/invoice.cs"], "Send invoices by email", "Invoices go out when sent.", 1_000);

        Assert.Equal([ids[1], ids[0], ids[2], ids[4], ids[3]], briefing.MemoryIds);
        Assert.Equal([MemoryRanking.RulesTitle, MemoryRanking.RelevantTitle], briefing.Blocks.Select(b => b.Title));
        Assert.Equal("- Public APIs are documented in docs/api.md.\n- Every endpoint checks antiforgery.", briefing.Blocks[0].Text);
        Assert.Contains("- [developer_pattern, @mona] Tends to skip null checks.", briefing.Blocks[1].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Approve everything", briefing.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("GraphQL", briefing.Text, StringComparison.Ordinal);
        Assert.Null(briefing.Problem);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_briefing_stays_within_its_token_share_keeping_rules_before_anything_else(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var now = DateTime.UtcNow;
        var rows = Enumerable.Range(0, 30)
            .Select(i => (Repo, i % 3 == 0 ? "project_rule" : "code_pattern", $"Rule {i}: handlers in src/api/ validate every field of the request body before use.", (string?)null, now.AddMinutes(-i)))
            .ToArray();
        await SeedAsync(app, rows);

        var briefing = await RetrieveAsync(app, null, ["src/api/orders.cs"], "Orders", null, 120);

        Assert.InRange(briefing.Tokens, 1, 120);
        Assert.InRange(O200kTokenCounter.Shared.Count(briefing.Text), 1, 120);
        Assert.True(briefing.MemoryIds.Count is > 0 and < 30);
        var rules = await app.QueryAsync(db => Task.FromResult(db.Memories.Where(m => m.Type == "project_rule").Select(m => m.Id).ToHashSet()));
        Assert.All(briefing.MemoryIds, id => Assert.Contains(id, rules)); // 120 tokens hold only rules: 10 exist
        Assert.Empty((await RetrieveAsync(app, null, [], "x", null, 0)).MemoryIds);
    }

    [Fact]
    public async Task An_unreadable_database_gives_an_empty_briefing_that_says_why()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE memories", Ct));

        var briefing = await RetrieveAsync(app, null, ["a.cs"], "x", null, 500);

        Assert.Empty(briefing.Blocks);
        Assert.Equal("project memory could not be read", briefing.Problem);
    }

    private static async Task<MemoryBriefing> RetrieveAsync(NectrApp app, string? author, string[] paths, string title, string? body, int maxTokens)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<MemoryRetrieval>().ForReviewAsync(Repo, author, paths, title, body, maxTokens, Ct);
    }

    private static Task<long[]> SeedAsync(NectrApp app, params (string Repo, string Type, string Content, string? Developer, DateTime UpdatedAt)[] rows) => app.QueryAsync(async db =>
    {
        var records = rows.Select(r => new MemoryRecord
        {
            RepositoryFullName = r.Repo, RepositoryGitHubId = 1, Type = r.Type, Content = r.Content, Developer = r.Developer, CreatedAt = r.UpdatedAt, UpdatedAt = r.UpdatedAt,
        }).ToList();
        db.Memories.AddRange(records);
        await db.SaveChangesAsync(Ct);
        return records.Select(r => r.Id).ToArray();
    });
}
