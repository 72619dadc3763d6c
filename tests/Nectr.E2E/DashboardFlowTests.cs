using System.Net;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Nectr.Auth;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The whole dashboard journey in a real browser, against a fake GitHub on loopback: sign in with GitHub (OAuth
/// authorize, callback, token exchange), list repositories, Connect one (a hook with its own secret appears on the
/// fake), a pull_request delivery signed with that secret is reviewed and shows up on the dashboard, Disconnect
/// deletes the hook. Every page is saved as <c>dashboard-flow-*.png</c> under <c>NECTR_SCREENSHOTS</c> (./test.sh:
/// <c>artifacts/screenshots</c>), else <c>$TMPDIR/nectr-screenshots</c>, and attached to the test result.
/// </summary>
public sealed class DashboardFlowTests
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private const string FullName = Owner + "/" + Repo;
    private const long RepoId = 708_112_345;
    private const int Number = 12;
    private const string HeadSha = "5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f";
    private const string AwsKey = "AKIAQ3WZ7XK2LMNP4RTV";
    private const string FindingTitle = "Possible AWS access token committed";

    private static readonly FakeFile Leak = new("app/settings.py", "modified",
        $"@@ -1,2 +1,3 @@\n DEBUG = False\n+AWS_ACCESS_KEY_ID = '{AwsKey}'\n ALLOWED_HOSTS = []");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_connect_a_repository_see_its_review_on_the_dashboard_and_disconnect()
    {
        await using var github = await FakeGitHub.StartAsync();
        var mona = new FakeOAuthUser(9_191_919, "mona", "Mona Lisa");
        github.AuthorizeBrowsersAs(mona);
        github.Grant(mona.Token, github.AddRepository(Owner, Repo, RepoId), admin: true);
        github.AddPullRequest(Owner, Repo, Number, HeadSha, [Leak], title: "Configure the ledger");

        await using var database = await TestDatabase.CreateAsync("sqlite");
        var port = NectrProcess.FreeLoopbackPort();
        var backendUrl = $"https://127.0.0.1:{port}";
        await using var server = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github,
            ("BACKEND_URL", backendUrl),
            ("GITHUB_WEB_URL", github.ApiUrl.ToString()),
            ("GITHUB_CLIENT_ID", FakeGitHub.OAuthClientId),
            ("GITHUB_CLIENT_SECRET", FakeGitHub.OAuthClientSecret),
            ("AUTH_ALLOWED_USERS", mona.Login),
            ("LLM_PROVIDER", "none")), Ct, https: true, port: port);
        Assert.Equal(backendUrl + "/", server.BaseUrl.ToString());
        string Url(string path) => new Uri(server.BaseUrl, path).ToString();

        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            // The server's certificate is a throwaway self-signed one made for this test.
            IgnoreHTTPSErrors = true,
            ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
        });
        var page = await context.NewPageAsync();
        Task ScreenshotAsync(string name) => Screenshots.SaveAsync(page, $"dashboard-flow-{name}.png");

        try
        {
            // 1. Anonymous: the dashboard sends the visitor to the sign-in page.
            await page.GotoAsync(Url("/"));
            Assert.StartsWith(Url("/signin"), page.Url, StringComparison.Ordinal);
            await ScreenshotAsync("1-signin");

            // 2. Sign in with GitHub: Nectr → the fake's authorize page → Nectr's callback (code exchanged, user fetched) → "/".
            await ClickAndWaitForAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }), url => url == Url("/"));
            Assert.Contains("Signed in as mona", await page.InnerTextAsync("header"), StringComparison.Ordinal);
            Assert.Contains(await context.CookiesAsync(), c => c.Name == AuthExtensions.SessionCookie);
            Assert.Single(github.TokenExchanges);
            await ScreenshotAsync("2-home");

            // 3. Repositories: refreshed from GitHub with the user's token; Connect installs the hook.
            await page.GotoAsync(Url("/repositories"));
            var row = page.Locator($"tr[data-repository='{FullName}']");
            Assert.Contains("Not connected", await row.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Empty(github.HooksOn(Owner, Repo));
            await ScreenshotAsync("3-repositories");

            await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Connect" }), url => url.Contains("notice=connected", StringComparison.Ordinal));
            Assert.Contains("Connected", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("Connected", await row.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal("Disconnect", (await row.Locator("button").InnerTextAsync()).Trim());
            var hook = Assert.Single(github.HooksOn(Owner, Repo));
            Assert.Equal(backendUrl + SignedDelivery.Path, hook.Url);
            Assert.Contains("pull_request", hook.Events);
            Assert.False(string.IsNullOrEmpty(hook.Secret));
            Assert.NotEqual(E2EDatabase.Secret, hook.Secret);
            await ScreenshotAsync("4-connected");

            // 4. GitHub delivers pull_request.opened, signed with the secret Nectr gave that hook.
            using (var http = server.CreateClient())
            {
                var payload = PullRequestPayload.From("pull_request.opened.json", Owner, Repo, Number, HeadSha, RepoId);
                using var accepted = await http.SendAsync(SignedDelivery.Create("pull_request", payload, hook.Secret!, baseUrl: server.BaseUrl), Ct);
                Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            }

            var posted = await github.WaitForReviewAsync(Owner, Repo, Number, TimeSpan.FromSeconds(60));
            Assert.Equal(HeadSha, posted.CommitId);
            Assert.Equal("app/settings.py", Assert.Single(posted.Comments).Path);
            // Nectr records the review once GitHub has answered the POST: wait for that row, not just the POST.
            await E2EDatabase.WaitUntilAsync(database, db => db.Reviews.AnyAsync(r => r.RepositoryFullName == FullName && r.PullNumber == Number, Ct),
                TimeSpan.FromSeconds(30), "the review to be recorded");

            // 5. The review on the dashboard: listed, and its detail page shows the finding but never the key.
            var link = page.GetByRole(AriaRole.Link, new() { Name = $"{FullName}#{Number}" });
            await page.GotoAsync(Url("/reviews"));
            Assert.Equal(1, await link.CountAsync());
            await ScreenshotAsync("5-reviews");

            await ClickAndWaitForAsync(page, link, url => url.Contains("/reviews/", StringComparison.Ordinal));
            Assert.Contains(FindingTitle, await page.InnerTextAsync("main"), StringComparison.Ordinal);
            Assert.DoesNotContain(AwsKey, await page.ContentAsync(), StringComparison.Ordinal);
            var body = await page.InnerTextAsync("section.markdown");
            Assert.DoesNotContain("nectr:review", body, StringComparison.Ordinal); // the marker is for GitHub, not for people
            Assert.DoesNotContain("<sub>", body, StringComparison.Ordinal);
            // Links to GitHub follow GITHUB_WEB_URL (here the fake), as they must for GitHub Enterprise Server.
            Assert.Equal(new Uri(github.ApiUrl, $"{FullName}/pull/{Number}").ToString(),
                await page.GetByRole(AriaRole.Link, new() { Name = "Pull request on GitHub" }).GetAttributeAsync("href"));
            await ScreenshotAsync("6-review-detail");

            // 6. Disconnect removes the hook from GitHub.
            await page.GotoAsync(Url("/repositories"));
            await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Disconnect" }), url => url.Contains("notice=disconnected", StringComparison.Ordinal));
            Assert.Contains("Disconnected", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("Not connected", await row.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Empty(github.HooksOn(Owner, Repo));
            Assert.Contains(github.Requests, r => r.Method == "DELETE" && r.Path == $"/repos/{FullName}/hooks/{hook.Id}" && r.Status == 204);
            await ScreenshotAsync("7-disconnected");

            github.AssertNoUnexpectedCalls();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ScreenshotAsync("failure");
            throw new InvalidOperationException($"The dashboard flow failed on {page.Url}. Server output:\n{server.Output}", ex);
        }
    }

    /// <summary>
    /// Clicks and waits for the navigation it causes, armed before the click (as <c>DashboardJourney</c> does), then for
    /// the document: a wait started after the click can miss a redirect that already arrived and time out on a load
    /// state that has passed, which happened here even on a quiet machine.
    /// </summary>
    private static async Task ClickAndWaitForAsync(IPage page, ILocator target, Func<string, bool> arrived)
    {
        var navigated = page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit });
        await target.ClickAsync();
        await navigated;
        // The new document's main element, not a load state: a load event that fired between the commit and this wait
        // was missed once under load (a 30 s timeout on a page that had long arrived).
        await page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }
}
