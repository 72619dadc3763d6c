using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>GET /api/v1/reviews[/{id}] through the front door, as a signed-in user.</summary>
public sealed class ReviewHistoryApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_list_filters_by_repository_verdict_and_text_and_pages_newest_first(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        await HistorySeed.GrantAsync(app, user.Id, "acme/beta");
        var start = HistorySeed.Now.AddHours(-30);
        for (var i = 0; i < 25; i++)
        {
            var verdict = i % 5 == 0 ? "request_changes" : "approve";
            await HistorySeed.ReviewAsync(app, "acme/alpha", 100 + i, $"a{i:d2}" + new string('0', 37), verdict, start.AddMinutes(i));
        }

        await HistorySeed.ReviewAsync(app, "acme/beta", 1, "b1" + new string('0', 38), "needs_discussion", start.AddHours(1), body: "The Retry LOOP never ends.");
        await HistorySeed.ReviewAsync(app, "acme/beta", 2, "deadbeef" + new string('0', 32), "approve", start.AddHours(2));
        await HistorySeed.ReviewAsync(app, "acme/beta", 3, "b3" + new string('0', 38), "approve", start.AddHours(3));
        await HistorySeed.ReviewAsync(app, "acme/hidden", 1, "c1" + new string('0', 38), "approve", start.AddHours(4), body: "retry loop");

        var first = await GetAsync(client, "/api/v1/reviews");
        var second = await GetAsync(client, "/api/v1/reviews?page=2");
        var big = await GetAsync(client, "/api/v1/reviews?per_page=500");
        var beta = await GetAsync(client, "/api/v1/reviews?repo=acme/beta");
        var blocking = await GetAsync(client, "/api/v1/reviews?verdict=request_changes&per_page=2");
        var byText = await GetAsync(client, "/api/v1/reviews?q=retry%20loop");
        var bySha = await GetAsync(client, "/api/v1/reviews?q=DEADBEEF");
        var byRepoName = await GetAsync(client, "/api/v1/reviews?q=alp&per_page=1");
        using var badVerdict = await client.GetAsync("/api/v1/reviews?verdict=lgtm", Ct);
        using var badState = await client.GetAsync("/api/v1/reviews?state=draft", Ct);

        Assert.Equal(28, first.GetProperty("total").GetInt32());
        Assert.Equal(20, first.GetProperty("per_page").GetInt32());
        Assert.Equal(1, first.GetProperty("page").GetInt32());
        var items = first.GetProperty("items").EnumerateArray().ToList();
        Assert.Equal(20, items.Count);
        Assert.Equal(["acme/beta#3", "acme/beta#2", "acme/beta#1", "acme/alpha#124"], items.Take(4).Select(Pr));
        Assert.Equal(8, second.GetProperty("items").GetArrayLength());
        Assert.Equal(100, big.GetProperty("per_page").GetInt32());
        Assert.Equal(28, big.GetProperty("items").GetArrayLength());
        Assert.DoesNotContain(big.GetProperty("items").EnumerateArray(), i => i.GetProperty("repository").GetString() == "acme/hidden");
        Assert.Equal(3, beta.GetProperty("total").GetInt32());
        Assert.Equal(5, blocking.GetProperty("total").GetInt32());
        Assert.Equal(2, blocking.GetProperty("items").GetArrayLength());
        Assert.All(blocking.GetProperty("items").EnumerateArray(), i => Assert.Equal("request_changes", i.GetProperty("verdict").GetString()));
        Assert.Equal(["acme/beta#1"], byText.GetProperty("items").EnumerateArray().Select(Pr));
        Assert.Equal(["acme/beta#2"], bySha.GetProperty("items").EnumerateArray().Select(Pr));
        Assert.Equal(25, byRepoName.GetProperty("total").GetInt32());
        var row = items[0];
        Assert.Equal("https://github.com/acme/beta/pull/3", row.GetProperty("pull_request_url").GetString());
        Assert.Equal(0.0421m, row.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("state").ValueKind);
        Assert.Equal(HttpStatusCode.BadRequest, badVerdict.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badState.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_detail_shows_findings_coverage_usage_links_and_the_live_state_from_GitHub(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.AddPullRequest("acme", "alpha", 7, "a7" + new string('0', 38), []);
        github.AddPullRequest("acme", "alpha", 8, "a8" + new string('0', 38), [], state: "closed");
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha", isPrivate: true);
        var review = await HistorySeed.ReviewAsync(app, "acme/alpha", 7, "a7" + new string('0', 38), "request_changes", findings:
            [HistorySeed.Finding("src/B.cs", 20, "error"), HistorySeed.Finding("src/A.cs", 5, "nit", inline: false)]);
        await HistorySeed.ReviewAsync(app, "acme/alpha", 8, "a8" + new string('0', 38));

        var detail = await GetAsync(client, $"/api/v1/reviews/{review.Id}");
        var open = await GetAsync(client, "/api/v1/reviews?state=open");
        var closed = await GetAsync(client, "/api/v1/reviews?state=closed");
        var merged = await GetAsync(client, "/api/v1/reviews?state=merged");
        using var missing = await client.GetAsync($"/api/v1/reviews/{review.Id + 1000}", Ct);

        Assert.Equal("request_changes", detail.GetProperty("verdict").GetString());
        Assert.Equal("because request_changes", detail.GetProperty("verdict_reason").GetString());
        Assert.Equal("Looks fine.", detail.GetProperty("summary").GetString());
        Assert.Equal("open", detail.GetProperty("state").GetString());
        var findings = detail.GetProperty("findings").EnumerateArray().ToList();
        Assert.Equal(["src/A.cs", "src/B.cs"], findings.Select(f => f.GetProperty("file").GetString()));
        Assert.Equal("nit", findings[0].GetProperty("severity").GetString());
        Assert.False(findings[0].GetProperty("inline").GetBoolean());
        Assert.Equal(20, findings[1].GetProperty("line").GetInt32());
        Assert.Equal("fixed();", findings[1].GetProperty("suggestion").GetString());
        var coverage = detail.GetProperty("coverage");
        Assert.Equal(3, coverage.GetProperty("changed_files").GetInt32());
        Assert.Equal(2, coverage.GetProperty("reviewed_files").GetInt32());
        Assert.Equal("package-lock.json", coverage.GetProperty("skipped")[0].GetProperty("path").GetString());
        Assert.Equal("lock file", coverage.GetProperty("skipped")[0].GetProperty("reason").GetString());
        Assert.Equal("token budget", coverage.GetProperty("not_sent_to_model")[0].GetProperty("reason").GetString());
        var usage = detail.GetProperty("usage");
        Assert.Equal("claude-test", usage.GetProperty("model").GetString());
        Assert.Equal(12_345, usage.GetProperty("input_tokens").GetInt64());
        Assert.Equal(678, usage.GetProperty("output_tokens").GetInt64());
        Assert.Equal(0.0421m, usage.GetProperty("cost_usd").GetDecimal());
        Assert.Equal(4200, detail.GetProperty("timings").GetProperty("duration_ms").GetInt64());
        Assert.Equal("https://github.com/acme/alpha/pull/7", detail.GetProperty("links").GetProperty("pull_request").GetString());
        Assert.EndsWith($"#pullrequestreview-{review.GitHubReviewId}", detail.GetProperty("links").GetProperty("review").GetString(), StringComparison.Ordinal);
        Assert.Equal(["acme/alpha#7"], open.GetProperty("items").EnumerateArray().Select(Pr));
        Assert.Equal("open", open.GetProperty("items")[0].GetProperty("state").GetString());
        Assert.Equal(["acme/alpha#8"], closed.GetProperty("items").EnumerateArray().Select(Pr));
        Assert.Equal(0, merged.GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        // One GitHub call per PR however many requests asked: the rest came from the cache.
        Assert.Single(github.Requests, r => r.Path.EndsWith("/pulls/7", StringComparison.Ordinal));
        Assert.Single(github.Requests, r => r.Path.EndsWith("/pulls/8", StringComparison.Ordinal));
        github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Anonymous_callers_get_401()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        using var anonymous = app.CreateClient(new Microsoft.AspNetCore.Mvc.Testing.WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/") });

        using var reviews = await anonymous.GetAsync("/api/v1/reviews", Ct);
        using var events = await anonymous.GetAsync("/api/v1/events", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, reviews.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, events.StatusCode);
    }

    internal static async Task<JsonElement> GetAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        Assert.True(response.IsSuccessStatusCode, $"GET {path} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
    }

    private static string Pr(JsonElement item) => $"{item.GetProperty("repository").GetString()}#{item.GetProperty("pull_number").GetInt32()}";
}
