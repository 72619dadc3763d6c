using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Analytics;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Memory;

namespace Nectr.Tests.Analytics;

/// <summary>
/// <c>GET /api/v1/analytics/…</c> through the front door on both databases, over <see cref="AnalyticsSeed"/>: the numbers
/// come from stored rows, each caller sees only their repositories' numbers, and bad query values are 400 with the fix.
/// </summary>
public sealed class AnalyticsEndpointsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Summary_counts_reviews_verdicts_time_to_review_size_and_cost_of_the_callers_repositories_only(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary", Ct), HttpStatusCode.OK);

        Assert.Equal((30, 2, 2, 3), (Int(json, "days"), Int(json, "reviews"), Int(json, "pull_requests"), Int(json, "findings")));
        Assert.Equal((1, 1, 0), (Int(json.GetProperty("verdicts"), "approve"), Int(json.GetProperty("verdicts"), "request_changes"), Int(json.GetProperty("verdicts"), "needs_discussion")));
        Assert.Equal(360, json.GetProperty("time_to_review_seconds").GetProperty("median").GetDouble()); // (10 min + 2 min) / 2
        Assert.Equal(3, json.GetProperty("pr_size_files").GetProperty("median").GetDouble());
        Assert.Equal(0.15m, json.GetProperty("cost").GetProperty("total_usd").GetDecimal());
        Assert.DoesNotContain(AnalyticsSeed.BobCost.ToString(CultureInfo.InvariantCulture), json.GetRawText(), StringComparison.Ordinal);

        var bob = await MemoryApi.ExpectAsync(await seed.Bob.GetAsync("/api/v1/analytics/summary", Ct), HttpStatusCode.OK);
        Assert.Equal((1, AnalyticsSeed.BobCost), (Int(bob, "reviews"), bob.GetProperty("cost").GetProperty("total_usd").GetDecimal()));
        seed.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Summary_filters_by_repository_author_and_period_and_hides_other_users_repositories(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var carol = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary?repo=ACME/api&author=carol", Ct), HttpStatusCode.OK);
        var dave = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary?author=dave&days=90", Ct), HttpStatusCode.OK);
        var daveThisMonth = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary?author=dave", Ct), HttpStatusCode.OK);

        Assert.Equal((AnalyticsSeed.Repo, 2), (carol.GetProperty("repo").GetString(), Int(carol, "reviews")));
        Assert.Equal((1, 0), (Int(dave, "reviews"), Int(daveThisMonth, "reviews")));
        var hidden = await MemoryApi.ExpectAsync(await seed.Bob.GetAsync($"/api/v1/analytics/summary?repo={AnalyticsSeed.Repo}", Ct), HttpStatusCode.NotFound);
        Assert.Equal("Repository not found", hidden.GetProperty("title").GetString());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Timeline_gives_every_day_of_the_period_with_reviews_by_verdict(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/timeline?days=7", Ct), HttpStatusCode.OK);

        var days = json.GetProperty("per_day").EnumerateArray().ToList();
        Assert.Equal(7, days.Count);
        Assert.Equal(DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), days[^1].GetProperty("day").GetString());
        Assert.Equal((1, 1, 0), (Int(days[^2], "total"), Int(days[^2], "request_changes"), Int(days[^2], "approve")));
        Assert.Equal((1, 1), (Int(days[^3], "total"), Int(days[^3], "approve")));
        Assert.Equal(2, days.Sum(d => Int(d, "total")));
        var ninety = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/timeline?days=90", Ct), HttpStatusCode.OK);
        Assert.Equal((90, 3), (ninety.GetProperty("per_day").GetArrayLength(), ninety.GetProperty("per_day").EnumerateArray().Sum(d => Int(d, "total"))));
        var bob = await MemoryApi.ExpectAsync(await seed.Bob.GetAsync("/api/v1/analytics/timeline?days=30", Ct), HttpStatusCode.OK);
        Assert.Equal(1, bob.GetProperty("per_day").EnumerateArray().Sum(d => Int(d, "needs_discussion") + Int(d, "approve") + Int(d, "request_changes")));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Insights_rank_finding_categories_severities_hotspots_and_high_risk_files(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/insights", Ct), HttpStatusCode.OK);

        Assert.Equal(3, Int(json, "findings"));
        Assert.Equal([("security", 2), ("style", 1)], Named(json, "categories"));
        Assert.Equal([("high", 1), ("low", 1), ("medium", 1)], Named(json, "severities"));
        Assert.Equal([("src/a.cs", 2), ("docs/guide.md", 1), ("src/b.cs", 1)],
            json.GetProperty("hotspots").EnumerateArray().Select(h => (h.GetProperty("path").GetString(), Int(h, "pull_requests"))));
        Assert.Equal([("src/a.cs", 2, 1), ("src/b.cs", 1, 1)],
            json.GetProperty("high_risk_files").EnumerateArray().Select(h => (h.GetProperty("path").GetString(), Int(h, "pull_requests"), Int(h, "changes_requested"))));
        Assert.DoesNotContain("bob-only", json.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("critical", json.GetRawText(), StringComparison.Ordinal);
        var bob = await MemoryApi.ExpectAsync(await seed.Bob.GetAsync("/api/v1/analytics/insights", Ct), HttpStatusCode.OK);
        Assert.Equal([("critical", 1)], Named(bob, "severities"));
        Assert.DoesNotContain("src/a.cs", bob.GetRawText(), StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Contributors_give_each_author_prs_verdicts_findings_by_severity_and_memory_profile(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/contributors?repo=acme/api&days=90", Ct), HttpStatusCode.OK);

        var people = json.GetProperty("contributors").EnumerateArray().ToList();
        Assert.Equal(["carol", "dave"], people.Select(p => p.GetProperty("login").GetString()));
        var carol = people[0];
        Assert.Equal((2, 2), (Int(carol, "pull_requests"), Int(carol, "reviews")));
        Assert.Equal((1, 1), (Int(carol.GetProperty("verdicts"), "approve"), Int(carol.GetProperty("verdicts"), "request_changes")));
        Assert.Equal([("high", 1), ("low", 1), ("medium", 1)], carol.GetProperty("findings_by_severity").EnumerateObject().Select(p => (p.Name, p.Value.GetInt32())));
        Assert.Equal([("contributor_profile", AnalyticsSeed.CarolProfile)],
            carol.GetProperty("memory").EnumerateArray().Select(m => (m.GetProperty("type").GetString(), m.GetProperty("content").GetString())));
        Assert.Equal([("src", 2)], carol.GetProperty("expertise").EnumerateArray().Select(d => (d.GetProperty("directory").GetString(), Int(d, "pull_requests"))));
        Assert.Empty(people[1].GetProperty("memory").EnumerateArray());

        await MemoryApi.ExpectAsync(await seed.Bob.GetAsync("/api/v1/analytics/contributors?repo=acme/api", Ct), HttpStatusCode.NotFound);
        using var scope = seed.App.Services.CreateScope();
        var queries = scope.ServiceProvider.GetRequiredService<AnalyticsQueries>();
        Assert.Null(await queries.ContributorStatsAsync(seed.BobId, AnalyticsSeed.Repo, 30, Ct));
        Assert.Equal(["carol"], (await queries.ContributorStatsAsync(seed.AliceId, AnalyticsSeed.Repo, 30, Ct))!.Contributors.Select(c => c.Login));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Repo_health_is_the_documented_sum_of_its_four_parts_and_hidden_repositories_have_none(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);
        using var scope = seed.App.Services.CreateScope();
        var queries = scope.ServiceProvider.GetRequiredService<AnalyticsQueries>();

        var health = await queries.RepoHealthAsync(seed.AliceId, "Acme/API", Ct);

        Assert.NotNull(health);
        var parts = health.Components.ToDictionary(c => c.Name, c => c.Points);
        // 1 approve + 1 request_changes: 40 × 0.5; 1 of 3 finished jobs parked: 20 × 2/3; median 360 s: 20 × (3600 − 360) / 3300;
        // 2 of the 3 most touched files touched by a PR whose last review requested changes: 20 × 1/3.
        Assert.Equal(20, parts["verdicts"]);
        Assert.Equal(13.33, parts["parked_jobs"]);
        Assert.Equal(19.64, parts["review_latency"]);
        Assert.Equal(6.67, parts["hotspots"]);
        Assert.Equal(60, health.Score);
        Assert.Null(await queries.RepoHealthAsync(seed.BobId, AnalyticsSeed.Repo, Ct));
        var bobs = await queries.RepoHealthAsync(seed.BobId, AnalyticsSeed.BobRepo, Ct);
        Assert.Equal(0.5, bobs!.Components.Single(c => c.Name == "verdicts").Value);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Graph_gives_languages_hotspots_ownership_expertise_and_githubs_contributor_stats_after_its_202(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);
        var requests = seed.GitHub.SetContributorStats("acme", "api", [new FakeContributor("carol", [1, 0, 2, 3])], computing: 1);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/graph?repo=acme/api", Ct), HttpStatusCode.OK);

        Assert.Equal([("C#", 2, 3), ("Markdown", 1, 1)],
            json.GetProperty("languages").EnumerateArray().Select(l => (l.GetProperty("language").GetString(), Int(l, "files"), Int(l, "pull_requests"))));
        Assert.Equal("src/a.cs", json.GetProperty("hotspots")[0].GetProperty("path").GetString());
        Assert.Equal([("src/a.cs", "carol")], json.GetProperty("ownership").EnumerateArray().Select(o => (o.GetProperty("path").GetString(), o.GetProperty("owner").GetString())));
        Assert.Equal(["carol", "dave"], json.GetProperty("expertise").EnumerateArray().Select(e => e.GetProperty("login").GetString()));
        var stats = json.GetProperty("git_hub_contributors");
        Assert.Equal("ready", stats.GetProperty("status").GetString());
        var carol = stats.GetProperty("contributors")[0];
        Assert.Equal(("carol", 6, 60L), (carol.GetProperty("login").GetString(), Int(carol, "commits"), carol.GetProperty("additions").GetInt64()));
        Assert.Equal([0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 2, 3], carol.GetProperty("recent_weeks").EnumerateArray().Select(w => w.GetInt32()));
        Assert.Equal(2, requests()); // 202 first, then the statistics
        seed.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Graph_answers_without_githubs_stats_after_bounded_retries_and_says_so(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);
        var requests = seed.GitHub.SetContributorStats("acme", "api", [new FakeContributor("carol", [1])], computing: 100);

        var json = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/graph?repo=acme/api", Ct), HttpStatusCode.OK);

        var stats = json.GetProperty("git_hub_contributors");
        Assert.Equal("computing", stats.GetProperty("status").GetString());
        Assert.Contains("still computing", stats.GetProperty("note").GetString(), StringComparison.Ordinal);
        Assert.Empty(stats.GetProperty("contributors").EnumerateArray());
        Assert.Equal(GitHubContributorStats.Attempts, requests());
        Assert.Equal("src/a.cs", json.GetProperty("hotspots")[0].GetProperty("path").GetString());
        // A repository out of sight: 404, and GitHub is not asked.
        await MemoryApi.ExpectAsync(await seed.Bob.GetAsync("/api/v1/analytics/graph?repo=acme/api", Ct), HttpStatusCode.NotFound);
        Assert.Equal(GitHubContributorStats.Attempts, requests());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Bad_query_values_are_400_naming_the_field_and_anonymous_callers_401(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        Assert.Equal(["days"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/timeline?days=14", Ct)));
        Assert.Equal(["days"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/timeline?days=seven", Ct)));
        Assert.Equal(["days"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary?days=0", Ct)));
        Assert.Equal(["days", "repo"], (await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/insights?days=9999&repo=no-slash", Ct))).Order());
        Assert.Equal(["author"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/summary?author=not%20a%20login", Ct)));
        Assert.Equal(["repo"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/contributors", Ct)));
        Assert.Equal(["repo"], await MemoryApi.ValidationErrorsAsync(await seed.Alice.GetAsync("/api/v1/analytics/graph?repo=a/b/c", Ct)));
        var problem = await MemoryApi.ExpectAsync(await seed.Alice.GetAsync("/api/v1/analytics/timeline?days=14", Ct), HttpStatusCode.BadRequest);
        Assert.Equal("Use one of: 7, 30, 90.", problem.GetProperty("errors").GetProperty("days")[0].GetString());

        using var anonymous = seed.App.CreateClient();
        foreach (var path in new[] { "summary", "timeline", "insights", "contributors?repo=acme/api", "graph?repo=acme/api" })
        {
            Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/api/v1/analytics/{path}", Ct)).StatusCode);
        }
    }

    private static int Int(JsonElement json, string name) => json.GetProperty(name).GetInt32();

    private static IEnumerable<(string?, int)> Named(JsonElement json, string name) =>
        json.GetProperty(name).EnumerateArray().Select(n => (n.GetProperty("name").GetString(), Int(n, "count")));
}
