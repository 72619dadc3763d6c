using Microsoft.Playwright;
using Nectr.Auth;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The Analytics and Team pages in Debian's chromium against a real Nectr process over HTTPS: the seeded numbers are on
/// the page, the SVG charts are drawn and visible, the browser reports no Content-Security-Policy violation (nor a
/// script error), and nothing of a repository the user cannot see shows. Screenshots go where DashboardTests' go
/// (<c>NECTR_SCREENSHOTS</c>, else <c>$TMPDIR/nectr-screenshots</c>).
/// </summary>
public sealed class AnalyticsPagesBrowserTests
{
    private const string Author = "octocat";
    private const string Intruder = "intruder-of-other-team";
    private const string Profile = "Octocat writes small PRs with tests.";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Analytics_and_Team_pages_draw_their_charts_with_the_seeded_numbers_and_no_CSP_violation()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var server = await NectrProcess.StartAsync(new Dictionary<string, string>
        {
            ["APP_ENV"] = "test",
            ["LOG_LEVEL"] = "Warning",
            ["DATABASE_URL"] = database.Url,
            ["GITHUB_WEBHOOK_SECRET"] = E2EDatabase.Secret,
            ["GITHUB_PAT"] = "ghp_e2e_analytics_unused",
            // Nothing on these pages calls GitHub or the model; these point nowhere.
            ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
            ["LLM_PROVIDER"] = "openai",
            ["OPENAI_API_KEY"] = "sk-e2e-analytics-unused",
            ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1",
            ["REVIEW_CONCURRENCY"] = "0",
        }, Ct, https: true);
        var ids = await E2EDatabase.QueryAsync(database, DashboardSeed.SeedAsync);
        await E2EDatabase.QueryAsync(database, SeedKnowledgeAsync);
        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, // the server's certificate is a throwaway self-signed one made for this test
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        await context.AddCookiesAsync(
        [
            new Cookie
            {
                Name = AuthExtensions.SessionCookie, Value = SessionCookie.Mint(database, ids.User), Url = server.BaseUrl.ToString(),
                Secure = true, HttpOnly = true, SameSite = SameSiteAttribute.Lax,
            },
        ]);
        var page = await context.NewPageAsync();
        var console = new List<string>();
        page.Console += (_, message) =>
        {
            // A CSP violation is reported as a console error ("Refused to apply inline style …"); a missing favicon is not ours to judge.
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase) || message.Text.Contains("Refused to", StringComparison.Ordinal))
            {
                lock (console)
                {
                    console.Add($"{message.Type}: {message.Text}");
                }
            }
        };
        page.PageError += (_, error) =>
        {
            lock (console)
            {
                console.Add("page error: " + error);
            }
        };

        // Analytics: the nav leads there; tiles, the timeline and the findings charts are drawn.
        await page.GotoAsync(new Uri(server.BaseUrl, "/").ToString());
        // The wait is armed before the click (see DashboardTests): on a loaded machine the page can arrive first.
        var arrived = page.WaitForResponseAsync(r => r.Url.EndsWith("/analytics", StringComparison.Ordinal));
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Main" }).GetByRole(AriaRole.Link, new() { Name = "Analytics" }).ClickAsync();
        var response = await arrived;
        Assert.Contains("style-src 'self'", (await response.AllHeadersAsync())["content-security-policy"], StringComparison.Ordinal);
        await page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        Assert.Equal("2", await page.Locator("[data-tile='reviews'] strong").InnerTextAsync());
        Assert.Equal("$0.0472", await page.Locator("[data-tile='cost'] strong").InnerTextAsync());
        Assert.Equal("2.5 files", await page.Locator("[data-tile='pr-size'] strong").InnerTextAsync()); // 5 and 0 changed files
        var timeline = page.Locator("svg[data-chart='timeline']");
        Assert.True(await timeline.IsVisibleAsync());
        Assert.Equal("Reviews per day by verdict, last 30 days", await timeline.GetAttributeAsync("aria-label"));
        Assert.Equal(30, await timeline.Locator("g.column").CountAsync());
        Assert.Equal(2, await timeline.Locator("rect").CountAsync()); // one approve and one request-changes day
        Assert.True((await timeline.Locator("rect.v-changes").BoundingBoxAsync())!.Height > 10);
        var severities = page.Locator("svg[data-chart='severities']");
        Assert.True(await severities.IsVisibleAsync());
        Assert.Equal("high: 1, low: 1", await severities.Locator("desc").TextContentAsync());
        Assert.Contains("acme/api: orders.py", await page.Locator("table[data-table='hotspots']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardSeed.Hidden, await page.ContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "analytics");

        // A repository the user cannot see: a message, not its numbers.
        await page.GotoAsync(new Uri(server.BaseUrl, "/analytics?repo=" + Uri.EscapeDataString(DashboardSeed.Hidden)).ToString());
        Assert.Contains($"No repository {DashboardSeed.Hidden} among the repositories you can see.", await page.Locator("[data-problem]").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(0, await page.Locator("[data-tile]").CountAsync());

        // Team: the author's numbers, expertise, memory and a visible sparkline; nobody of the hidden repository.
        await page.GotoAsync(new Uri(server.BaseUrl, "/team").ToString());
        var row = page.Locator($"tr[data-person='{Author}']");
        Assert.Equal("2", await row.Locator("[data-cell='reviews']").InnerTextAsync());
        Assert.Contains("high 1", await row.Locator("[data-cell='findings']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("(root) (2)", await row.Locator("[data-cell='expertise']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains(Profile, await row.Locator("[data-cell='memory']").InnerTextAsync(), StringComparison.Ordinal);
        var sparkline = row.Locator("svg[data-chart='activity']");
        Assert.True(await sparkline.IsVisibleAsync());
        Assert.Equal(120, (await sparkline.BoundingBoxAsync())!.Width, 1);
        Assert.Contains("2 in 12 weeks", await row.Locator("[data-cell='weeks']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(Intruder, await page.ContentAsync(), StringComparison.Ordinal);
        await ScreenshotAsync(page, "team");

        lock (console)
        {
            Assert.True(console.Count == 0, "The browser reported a CSP violation or a page error:\n" + string.Join('\n', console));
        }
    }

    /// <summary>The knowledge index for DashboardSeed's reviews: octocat wrote acme/api #41 and #42; the hidden repository's #7 is someone else's.</summary>
    private static async Task<int> SeedKnowledgeAsync(NectrDb db)
    {
        var now = DateTime.UtcNow;
        var pulls = new[]
        {
            PullRequest(DashboardSeed.Connected, 41, Author, "approve", now.AddDays(-4)),
            PullRequest(DashboardSeed.Connected, 42, Author, "request_changes", now.AddDays(-1)),
            PullRequest(DashboardSeed.Hidden, 7, Intruder, "approve", now.AddHours(-3)),
        };
        db.PullRequests.AddRange(pulls);
        await db.SaveChangesAsync(Ct);
        db.PullRequestFiles.AddRange(
            new PullRequestFileRecord { PullRequestId = pulls[0].Id, RepositoryFullName = DashboardSeed.Connected, Path = "orders.py" },
            new PullRequestFileRecord { PullRequestId = pulls[1].Id, RepositoryFullName = DashboardSeed.Connected, Path = "orders.py" },
            new PullRequestFileRecord { PullRequestId = pulls[2].Id, RepositoryFullName = DashboardSeed.Hidden, Path = "secret/other-team.cs" });
        db.Memories.Add(new MemoryRecord
        {
            RepositoryFullName = DashboardSeed.Connected, RepositoryGitHubId = 1001, Type = "contributor_profile", Developer = Author, Content = Profile,
            CreatedAt = now, UpdatedAt = now,
        });
        return await db.SaveChangesAsync(Ct);
    }

    private static PullRequestRecord PullRequest(string repo, int number, string author, string verdict, DateTime at) => new()
    {
        RepositoryFullName = repo, Number = number, Title = $"PR {number}", AuthorLogin = author, State = "merged", MergedAt = at,
        HeadSha = $"sha{number}", LastVerdict = verdict, UpdatedAtMs = new DateTimeOffset(at).ToUnixTimeMilliseconds(),
    };

    private static Task ScreenshotAsync(IPage page, string name) => Screenshots.SaveAsync(page, $"dashboard-{name}.png");
}
