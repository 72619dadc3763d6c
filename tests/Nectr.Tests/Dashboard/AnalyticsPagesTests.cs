using System.Net;
using Nectr.Tests.Analytics;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Dashboard;

/// <summary>
/// The Analytics and Team pages through HTTP on both databases, over <see cref="AnalyticsSeed"/>: alice sees acme/api's
/// numbers and never bob's, bob sees his and never alice's, and a repository out of sight gets a message, not data.
/// </summary>
public sealed class AnalyticsPagesTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Analytics_shows_tiles_timeline_findings_and_files_of_the_callers_repositories_only(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var html = await PageAsync(seed.Alice, "/analytics");

        Assert.Contains("<div class=\"tile\" data-tile=\"reviews\"><strong>2</strong>reviews of 2 pull requests</div>", html, StringComparison.Ordinal);
        Assert.Contains("data-tile=\"time-to-review\"><strong>6 min</strong>", html, StringComparison.Ordinal); // (10 min + 2 min) / 2
        Assert.Contains("data-tile=\"pr-size\"><strong>3 files</strong>", html, StringComparison.Ordinal);
        Assert.Contains("data-tile=\"findings\"><strong>3</strong>", html, StringComparison.Ordinal);
        Assert.Contains("data-tile=\"cost\"><strong>$0.1500</strong>", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"timeline\"", html, StringComparison.Ordinal);
        Assert.Contains("aria-label=\"Reviews per day by verdict, last 30 days\"", html, StringComparison.Ordinal);
        Assert.Contains("<desc>security: 2, style: 1</desc>", html, StringComparison.Ordinal);
        Assert.Contains("<desc>high: 1, low: 1, medium: 1</desc>", html, StringComparison.Ordinal);
        Assert.Contains("acme/api: src/a.cs", html, StringComparison.Ordinal);
        Assert.DoesNotContain("bob-only", html, StringComparison.Ordinal);
        Assert.DoesNotContain("critical", html, StringComparison.Ordinal);
        Assert.DoesNotContain("9.99", html, StringComparison.Ordinal);
        Assert.DoesNotContain(AnalyticsSeed.BobRepo, html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);

        var bob = await PageAsync(seed.Bob, "/analytics");
        Assert.Contains("data-tile=\"cost\"><strong>$9.9900</strong>", bob, StringComparison.Ordinal);
        Assert.Contains("<desc>critical: 1</desc>", bob, StringComparison.Ordinal);
        Assert.DoesNotContain("src/a.cs", bob, StringComparison.Ordinal);
        Assert.DoesNotContain(AnalyticsSeed.Repo, bob, StringComparison.Ordinal);
        seed.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Analytics_filters_by_author_and_period_and_answers_a_hidden_repository_with_a_message(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var dave = await PageAsync(seed.Alice, "/analytics?repo=ACME%2Fapi&author=dave&days=90");
        var daveThisWeek = await PageAsync(seed.Alice, "/analytics?author=dave&days=7");
        var hidden = await PageAsync(seed.Bob, "/analytics?repo=acme%2Fapi");
        var unknown = await PageAsync(seed.Alice, "/analytics?repo=nobody%2Fnothing");
        var badPeriod = await PageAsync(seed.Alice, "/analytics?days=5");

        Assert.Contains("data-tile=\"reviews\"><strong>1</strong>reviews of 1 pull request</div>", dave, StringComparison.Ordinal);
        Assert.Contains("acme/api, pull requests by dave, last 90 days", dave, StringComparison.Ordinal);
        Assert.Contains("<option value=\"acme/api\" selected", dave, StringComparison.Ordinal);
        Assert.Contains("No reviews in this period for this filter.", daveThisWeek, StringComparison.Ordinal);
        Assert.DoesNotContain("data-chart=\"timeline\"", daveThisWeek, StringComparison.Ordinal);
        Assert.Contains("No repository acme/api among the repositories you can see.", hidden, StringComparison.Ordinal);
        Assert.DoesNotContain("data-tile", hidden, StringComparison.Ordinal);
        Assert.DoesNotContain("src/a.cs", hidden, StringComparison.Ordinal);
        Assert.Contains("No repository nobody/nothing among the repositories you can see.", unknown, StringComparison.Ordinal);
        Assert.Contains("The period must be one of 7, 30, 90 days.", badPeriod, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Team_shows_each_persons_activity_expertise_memory_and_sparkline_and_never_another_users_people(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        var html = await PageAsync(seed.Alice, "/team?days=90");

        var carol = Row(html, "carol");
        Assert.Contains("data-cell=\"prs\">2</td>", carol, StringComparison.Ordinal);
        Assert.Contains("data-cell=\"reviews\">2</td>", carol, StringComparison.Ordinal);
        Assert.Contains("Approve 1</span>", carol, StringComparison.Ordinal);
        Assert.Contains("Request changes 1</span>", carol, StringComparison.Ordinal);
        Assert.Contains("<span class=\"badge sev-high\">high 1</span>", carol, StringComparison.Ordinal);
        Assert.Contains("data-cell=\"expertise\">src (2)</td>", carol, StringComparison.Ordinal);
        Assert.Contains(AnalyticsSeed.CarolProfile, carol, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"activity\"", carol, StringComparison.Ordinal);
        Assert.Contains("oldest first: 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2\"", carol, StringComparison.Ordinal);
        Assert.Contains("2 in 12 weeks", carol, StringComparison.Ordinal);
        Assert.Contains("data-cell=\"expertise\">docs (1)</td>", Row(html, "dave"), StringComparison.Ordinal);
        Assert.DoesNotContain("erin", html, StringComparison.Ordinal);
        Assert.DoesNotContain(AnalyticsSeed.BobRepo, html, StringComparison.Ordinal);
        Assert.DoesNotContain(" style=", html, StringComparison.Ordinal);

        var bob = await PageAsync(seed.Bob, "/team");
        Assert.Contains("data-person=\"erin\"", bob, StringComparison.Ordinal);
        Assert.DoesNotContain("carol", bob, StringComparison.Ordinal);
        Assert.DoesNotContain(AnalyticsSeed.CarolProfile, bob, StringComparison.Ordinal);
        var hidden = await PageAsync(seed.Bob, "/team?repo=acme%2Fapi");
        Assert.Contains("No repository acme/api among the repositories you can see.", hidden, StringComparison.Ordinal);
        Assert.DoesNotContain("data-person", hidden, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Team_and_analytics_say_so_when_there_is_nothing_to_show(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);
        var (stranger, _) = await seed.App.SignedInClientAsync("stranger", 1003);
        using var _client = stranger;

        Assert.Contains("No people yet.", await PageAsync(stranger, "/team"), StringComparison.Ordinal);
        var analytics = await PageAsync(stranger, "/analytics");
        Assert.Contains("No reviews in this period.", analytics, StringComparison.Ordinal);
        Assert.Contains("No indexed pull requests yet.", analytics, StringComparison.Ordinal);
        var thisWeek = await PageAsync(seed.Alice, "/team?days=7");
        Assert.Contains("data-person=\"carol\"", thisWeek, StringComparison.Ordinal);
        Assert.DoesNotContain("data-person=\"dave\"", thisWeek, StringComparison.Ordinal); // his one PR was 40 days ago
    }

    private static async Task<string> PageAsync(HttpClient client, string path)
    {
        using var response = await client.GetAsync(path, Ct);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(Ct);
    }

    /// <summary>The table row of one person, from its opening tag to its end.</summary>
    private static string Row(string html, string login)
    {
        var start = html.IndexOf($"<tr data-person=\"{login}\"", StringComparison.Ordinal);
        Assert.True(start >= 0, $"No row for {login}.");
        return html[start..html.IndexOf("</tr>", start, StringComparison.Ordinal)];
    }
}
