using Microsoft.Playwright;
using Nectr.Auth;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The dashboard as a person sees it: a real Nectr process over HTTPS, Debian's chromium, a signed-in session.
/// Each page is saved as a PNG under <c>NECTR_SCREENSHOTS</c> (./test.sh: <c>artifacts/screenshots</c>), else
/// <c>$TMPDIR/nectr-screenshots</c>.
/// </summary>
public sealed class DashboardTests
{
    private const string OpenAIKey = "sk-e2e-never-shown-5b7c";
    private const string GitHubToken = "ghp_e2e_never_shown_91d2";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_signed_in_user_sees_every_page_and_a_hostile_review_body_stays_inert_text()
    {
        await using var site = await Site.StartAsync();
        var page = site.Page;
        var pwnedDialogs = 0;
        page.Dialog += (_, dialog) => { pwnedDialogs++; _ = dialog.DismissAsync(); };

        // Anonymous: every page sends the visitor to the sign-in page, which says what is not configured.
        await page.GotoAsync(site.Url("/reviews"));
        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        Assert.StartsWith("/auth/github", await page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }).GetAttributeAsync("href"), StringComparison.Ordinal);
        Assert.Contains("GITHUB_CLIENT_ID", await page.InnerTextAsync("body"), StringComparison.Ordinal);
        await site.ScreenshotAsync("signin");

        await site.SignInAsync();

        await page.GotoAsync(site.Url("/"));
        Assert.Equal(site.Url("/"), page.Url);
        Assert.Equal(30, await page.Locator("svg[data-chart='reviews-per-day'] rect.bar").CountAsync());
        Assert.Equal("Verdict mix", await page.Locator("svg[data-chart='verdict-mix'] > title").TextContentAsync());
        Assert.Contains("acme/api#42", await page.InnerTextAsync("main"), StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardSeed.Hidden, await page.ContentAsync(), StringComparison.Ordinal);
        Assert.Contains("Signed in as mona", await page.InnerTextAsync("header"), StringComparison.Ordinal);
        await site.ScreenshotAsync("home");

        await page.GotoAsync(site.Url("/repositories"));
        Assert.Equal(2, await page.Locator("tr[data-repository]").CountAsync());
        var api = page.Locator("tr[data-repository='acme/api']");
        Assert.Equal("Disconnect", (await api.Locator("button").InnerTextAsync()).Trim());
        Assert.Equal(1, await api.Locator("input[name='__RequestVerificationToken']").CountAsync());
        Assert.Contains("/repositories/acme/api/disconnect", await api.Locator("form").GetAttributeAsync("action") ?? "", StringComparison.Ordinal);
        await site.ScreenshotAsync("repositories");

        await page.GotoAsync(site.Url("/reviews"));
        Assert.Equal(2, await page.Locator("tbody tr").CountAsync());
        await site.ScreenshotAsync("reviews");

        await page.GetByRole(AriaRole.Link, new() { Name = "acme/api#42" }).ClickAsync();
        Assert.Equal(site.Url($"/reviews/{site.Ids.ReviewId}"), page.Url);
        var body = page.Locator("section.markdown");
        Assert.Equal("parameterised", await body.Locator("strong").First.TextContentAsync());
        Assert.Equal(1, await body.Locator("table").CountAsync());
        Assert.Equal(0, await body.Locator("script").CountAsync());
        Assert.Equal(0, await body.Locator("img").CountAsync());
        Assert.Contains("<script>", await body.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("#", await body.GetByRole(AriaRole.Link, new() { Name = "click me" }).GetAttributeAsync("href"));
        Assert.False(await page.EvaluateAsync<bool>("() => window.nectrPwned === true"));
        Assert.NotEqual("pwned", await page.TitleAsync());
        Assert.Contains(DashboardSeed.FindingTitle, await page.InnerTextAsync("main > table"), StringComparison.Ordinal);
        var main = await page.InnerTextAsync("main");
        Assert.Contains("package-lock.json", main, StringComparison.Ordinal);
        Assert.Contains("12,345", main, StringComparison.Ordinal);
        Assert.Contains("$0.0472", main, StringComparison.Ordinal);
        Assert.Equal("https://github.com/acme/api/pull/42", await page.GetByRole(AriaRole.Link, new() { Name = "Pull request on GitHub" }).GetAttributeAsync("href"));
        await site.ScreenshotAsync("review-detail");

        await page.GotoAsync(site.Url("/activity"));
        var parked = page.Locator("tr[data-delivery='d-parked-0001']");
        Assert.Contains(DashboardSeed.ParkedReason, await parked.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await parked.GetByRole(AriaRole.Button, new() { Name = "Retry" }).CountAsync());
        Assert.Equal($"/activity/{site.Ids.ParkedDeliveryId}/retry", await parked.Locator("form").GetAttributeAsync("action"));
        await site.ScreenshotAsync("activity");

        await page.GotoAsync(site.Url("/settings"));
        var settings = await page.InnerTextAsync("main");
        Assert.Contains("OpenAI", settings, StringComparison.Ordinal);
        Assert.Contains("gpt-e2e-mini", settings, StringComparison.Ordinal);
        Assert.Contains("personal access token (GITHUB_PAT)", settings, StringComparison.Ordinal);
        Assert.Contains("acme/web: 3 webhook deliveries failed signature verification", settings, StringComparison.Ordinal);
        var html = await page.ContentAsync();
        Assert.DoesNotContain(OpenAIKey, html, StringComparison.Ordinal);
        Assert.DoesNotContain(GitHubToken, html, StringComparison.Ordinal);
        Assert.DoesNotContain(E2EDatabase.Secret, html, StringComparison.Ordinal);
        await site.ScreenshotAsync("settings");

        Assert.Equal(0, pwnedDialogs);
    }

    [Fact]
    public async Task Sign_out_posts_the_form_with_its_antiforgery_token_and_ends_the_session()
    {
        await using var site = await Site.StartAsync();
        await site.SignInAsync();
        var page = site.Page;
        await page.GotoAsync(site.Url("/"));

        // The wait is armed before the click (as DashboardJourney does): on a loaded machine the redirect can commit
        // before a wait started after the click, which then waits for a load state that already passed.
        var signedOut = page.WaitForURLAsync(url => url.Contains("/signin", StringComparison.Ordinal), new() { WaitUntil = WaitUntilState.Commit });
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await signedOut;
        await page.GotoAsync(site.Url("/settings"));

        Assert.Contains("/signin", page.Url, StringComparison.Ordinal);
        Assert.DoesNotContain(await site.Context.CookiesAsync(), c => c.Name == AuthExtensions.SessionCookie);
    }

    [Fact]
    public async Task The_memory_page_adds_edits_and_deletes_a_memory_with_its_forms_and_never_shows_another_teams()
    {
        await using var site = await Site.StartAsync();
        await E2EDatabase.QueryAsync(site.Database, db =>
        {
            db.Memories.Add(new Nectr.Data.MemoryRecord
            {
                RepositoryFullName = DashboardSeed.Hidden, RepositoryGitHubId = 1003, Type = "project_rule", Content = "Hidden rule of another team.",
                CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            return db.SaveChangesAsync(Ct);
        });
        await site.SignInAsync();
        var page = site.Page;
        await page.GotoAsync(site.Url("/memory"));
        Assert.Equal("acme/api", await page.Locator("select[name='repo']").InputValueAsync());
        Assert.Contains("No memories", await page.InnerTextAsync("main"), StringComparison.Ordinal);

        var add = page.Locator("form.memory-add");
        await add.Locator("select[name='memory_type']").SelectOptionAsync("project_rule");
        await add.Locator("textarea[name='content']").FillAsync("Every endpoint checks antiforgery.");
        await ClickAndWaitForAsync(page, add.GetByRole(AriaRole.Button, new() { Name = "Add" }), url => url.Contains("notice=added", StringComparison.Ordinal));
        var row = page.Locator("tr[data-memory]");
        Assert.Equal(1, await row.CountAsync());
        Assert.Contains("Every endpoint checks antiforgery.", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal("1", await page.Locator("td[data-type='project_rule']").InnerTextAsync());
        await site.ScreenshotAsync("memory-added");

        await row.Locator("summary").ClickAsync();
        await row.Locator("textarea[name='content']").FillAsync("Every state-changing endpoint checks antiforgery.");
        await row.Locator("input[name='developer']").FillAsync("mona");
        await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Save" }), url => url.Contains("notice=updated", StringComparison.Ordinal));
        Assert.Contains("Every state-changing endpoint checks antiforgery.", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.Contains("@mona", await row.InnerTextAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain("Hidden rule", await page.ContentAsync(), StringComparison.Ordinal);
        await site.ScreenshotAsync("memory-edited");

        await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Delete" }), url => url.Contains("notice=deleted", StringComparison.Ordinal));
        Assert.Equal(0, await row.CountAsync());
        Assert.Contains("Memory deleted.", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(1, await E2EDatabase.QueryAsync(site.Database, db => Task.FromResult(db.Memories.Count())));
    }

    /// <summary>Clicks and waits for the navigation it causes, armed before the click, then for the document (see DashboardFlowTests).</summary>
    private static async Task ClickAndWaitForAsync(IPage page, ILocator target, Func<string, bool> arrived)
    {
        var navigated = page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit });
        await target.ClickAsync();
        await navigated;
        // The new document's main element, not a load state: a load event that fired between the commit and this wait
        // was missed once under load (a 30 s timeout on a page that had long arrived).
        await page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    /// <summary>One server on a fresh seeded database, one browser context, and where screenshots go.</summary>
    private sealed class Site : IAsyncDisposable
    {
        private TestDatabase _database = null!;
        private NectrProcess _server = null!;

        public TestDatabase Database => _database;
        private Chromium _chromium = null!;

        public IBrowserContext Context { get; private set; } = null!;
        public IPage Page { get; private set; } = null!;
        public DashboardSeed.Ids Ids { get; private set; } = null!;

        public static async Task<Site> StartAsync()
        {
            var site = new Site { _database = await TestDatabase.CreateAsync("sqlite") };
            try
            {
                site._server = await NectrProcess.StartAsync(new Dictionary<string, string>
                {
                    ["APP_ENV"] = "test",
                    ["LOG_LEVEL"] = "Warning",
                    ["DATABASE_URL"] = site._database.Url,
                    ["GITHUB_WEBHOOK_SECRET"] = E2EDatabase.Secret,
                    ["GITHUB_PAT"] = GitHubToken,
                    // Nothing on the dashboard calls GitHub or the model; these point nowhere.
                    ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
                    ["LLM_PROVIDER"] = "openai",
                    ["OPENAI_API_KEY"] = OpenAIKey,
                    ["OPENAI_BASE_URL"] = "http://127.0.0.1:9/v1",
                    ["OPENAI_MODEL"] = "gpt-e2e-mini",
                    ["REVIEW_CONCURRENCY"] = "0",
                }, Ct, https: true);
                site.Ids = await E2EDatabase.QueryAsync(site._database, DashboardSeed.SeedAsync);
                site._chromium = await Chromium.LaunchAsync();
                site.Context = await site._chromium.Browser.NewContextAsync(new BrowserNewContextOptions
                {
                    // The server's certificate is a throwaway self-signed one made for this test.
                    IgnoreHTTPSErrors = true,
                    ViewportSize = new ViewportSize { Width = 1366, Height = 900 },
                });
                site.Page = await site.Context.NewPageAsync();
                return site;
            }
            catch
            {
                await site.DisposeAsync();
                throw;
            }
        }

        public string Url(string path) => new Uri(_server.BaseUrl, path).ToString();

        /// <summary>Sets the session cookie a GitHub sign-in would have set, minted on the server's own key ring.</summary>
        public Task SignInAsync() => Context.AddCookiesAsync(
        [
            new Cookie
            {
                Name = AuthExtensions.SessionCookie,
                Value = SessionCookie.Mint(_database, Ids.User),
                Url = _server.BaseUrl.ToString(),
                Secure = true,
                HttpOnly = true,
                SameSite = SameSiteAttribute.Lax,
            },
        ]);

        public Task ScreenshotAsync(string name) => Screenshots.SaveAsync(Page, $"dashboard-{name}.png");

        public async ValueTask DisposeAsync()
        {
            if (Context is not null)
            {
                await Context.DisposeAsync();
            }

            if (_chromium is not null)
            {
                await _chromium.DisposeAsync();
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
            }

            await _database.DisposeAsync();
        }
    }
}
