using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The repository settings page and the GitHub App page clicked through in Debian's chromium, over plain
/// http://localhost as README's local set-up runs Nectr (an HTTPS-only suite once hid a 500 after sign-in over http):
/// an admin changes an override and sees it saved and where each value comes from, a reader sees no form and a forged
/// save changes nothing; the manifest form posts to GitHub's page with a state and GitHub's way back creates the App,
/// and no secret is ever on a page. No response is a 5xx and the browser reports no CSP violation. Screenshots go
/// where DashboardTests' go (<c>NECTR_SCREENSHOTS</c>, else <c>$TMPDIR/nectr-screenshots</c>).
/// </summary>
public sealed class SettingsPagesBrowserTests
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private const string FullName = Owner + "/" + Repo;
    private static readonly FakeOAuthUser Mona = new(9_191_919, "mona", "Mona Lisa");
    private static readonly FakeOAuthUser Hubot = new(9_191_920, "hubot", "Hubot Reader");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_plain_http_an_admin_saves_repository_settings_a_reader_cannot_and_the_app_manifest_goes_to_github_with_a_state()
    {
        await using var github = await FakeGitHub.StartAsync();
        var repository = github.AddRepository(Owner, Repo, 708_112_347);
        github.Grant(Mona.Token, repository, admin: true);
        github.Grant(Hubot.Token, repository, admin: false);
        github.AddFile(Owner, Repo, ".nectr.yml", "language: de\n");
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var port = NectrProcess.FreeLoopbackPort();
        var publicUrl = new Uri($"http://localhost:{port}/");
        await using var server = await NectrProcess.StartAsync(E2EDatabase.SignInSettings(database, github, publicUrl, $"{Mona.Login},{Hubot.Login}"), Ct, port: port);
        string Url(string path) => new Uri(publicUrl, path).ToString();
        var settingsPath = $"/repositories/{FullName}/settings";

        await using var chromium = await Chromium.LaunchAsync();
        await using var admin = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        await using var reader = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await admin.NewPageAsync();
        var readerPage = await reader.NewPageAsync();
        var watch = new BrowserWatch(page, readerPage);
        try
        {
            // The admin signs in, connects the repository (Nectr knows only connected ones) and opens its settings.
            await SignInAsync(github, page, Mona, Url);
            await page.GotoAsync(Url("/repositories"));
            var row = page.Locator($"tr[data-repository='{FullName}']");
            await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Connect" }), url => url.Contains("notice=connected", StringComparison.Ordinal));
            await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Link, new() { Name = "Settings" }), url => url == Url(settingsPath));
            Assert.Equal(("\"de\"", ".nectr.yml"), await SettingAsync(page, "language"));
            Assert.Equal(("\"review\"", "server"), await SettingAsync(page, "forks"));
            await ScreenshotAsync(page, "repository-settings");

            // Save an override: the page says so, the value comes from "this page", and the file still wins for its key.
            await page.Locator("textarea[name='Overrides']").FillAsync("forks: skip\nmax_inline_comments: 3\nlanguage: fr\n");
            await BrowserForms.SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save" }), settingsPath);
            Assert.Contains("Saved:", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(("\"skip\"", "this page"), await SettingAsync(page, "forks"));
            Assert.Equal(("3", "this page"), await SettingAsync(page, "max_inline_comments"));
            Assert.Equal(("\"de\"", ".nectr.yml"), await SettingAsync(page, "language"));
            await ScreenshotAsync(page, "repository-settings-saved");

            // Saved means stored: a fresh load shows it, and the database holds it.
            await page.GotoAsync(Url(settingsPath));
            Assert.Equal(("\"skip\"", "this page"), await SettingAsync(page, "forks"));
            Assert.Contains("\"forks\": \"skip\"", await page.Locator("textarea[name='Overrides']").InputValueAsync(), StringComparison.Ordinal);
            const string Stored = """{"max_inline_comments":3,"language":"fr","forks":"skip"}""";
            Assert.Equal(Stored, await OverridesAsync(database));

            // A value the schema refuses: nothing is saved, and the page says where.
            await page.Locator("textarea[name='Overrides']").FillAsync("forks: never\n");
            await BrowserForms.SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Save" }), settingsPath);
            var refused = await page.Locator("p.notice[role='alert']").InnerTextAsync();
            Assert.Contains("Nothing was saved", refused, StringComparison.Ordinal);
            Assert.Contains("/forks", refused, StringComparison.Ordinal);
            Assert.Equal(Stored, await OverridesAsync(database));
            await ScreenshotAsync(page, "repository-settings-refused");

            // A reader sees the settings, no form; a save forged with the reader's own antiforgery token changes nothing.
            await SignInAsync(github, readerPage, Hubot, Url);
            await readerPage.GotoAsync(Url(settingsPath));
            Assert.Equal(("\"skip\"", "this page"), await SettingAsync(readerPage, "forks"));
            Assert.Equal(0, await readerPage.Locator("textarea").CountAsync());
            Assert.Contains($"Only admins of {FullName}", await readerPage.InnerTextAsync("main"), StringComparison.Ordinal);
            await ScreenshotAsync(readerPage, "repository-settings-reader");
            var token = await readerPage.Locator("input[name='__RequestVerificationToken']").First.GetAttributeAsync("value");
            Assert.False(string.IsNullOrEmpty(token));
            var forged = reader.APIRequest.CreateFormData();
            forged.Set("_handler", "repo-settings");
            forged.Set("Overrides", "forks: review\n");
            forged.Set("__RequestVerificationToken", token!);
            var forgedAnswer = await reader.APIRequest.PostAsync(Url(settingsPath), new() { Form = forged, MaxRedirects = 0 });
            Assert.True(forgedAnswer.Status < 500, $"the forged save answered {forgedAnswer.Status}");
            Assert.DoesNotContain("Saved:", await forgedAnswer.TextAsync(), StringComparison.Ordinal);
            Assert.Equal(Stored, await OverridesAsync(database));

            // The GitHub App page: the manifest form posts to GitHub's "Create GitHub App" page with a state.
            await page.GotoAsync(Url("/settings"));
            await ClickAndWaitForAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Create or install Nectr's App" }), url => url == Url("/settings/github-app"));
            var form = page.Locator("form[data-manifest-form]");
            var action = await form.GetAttributeAsync("action") ?? "";
            Assert.StartsWith(new Uri(github.ApiUrl, "settings/apps/new?state=").ToString(), action, StringComparison.Ordinal);
            var state = QueryHelpers.ParseQuery(new Uri(action).Query)["state"].ToString();
            Assert.True(state.Length >= 32, $"state '{state}' is too short");
            var manifestText = await form.Locator("input[name='manifest']").InputValueAsync();
            using (var manifest = JsonDocument.Parse(manifestText))
            {
                Assert.Equal(Url("/api/v1/webhooks/github"), manifest.RootElement.GetProperty("hook_attributes").GetProperty("url").GetString());
                Assert.Equal(Url("/settings/github-app/callback"), manifest.RootElement.GetProperty("redirect_url").GetString());
            }

            AssertNoSecrets(await page.ContentAsync(), github);
            await ScreenshotAsync(page, "github-app");

            // GitHub's page is played by the browser's router: it receives the manifest form, as GitHub would.
            IRequest? atGitHub = null;
            await page.RouteAsync(new Regex("/settings/apps/new"), route =>
            {
                atGitHub = route.Request;
                return route.FulfillAsync(new() { Status = 200, ContentType = "text/html", Body = "<!doctype html><title>Create GitHub App</title><main>GitHub</main>" });
            });
            await ClickAndWaitForAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create the App on GitHub" }), url => url.StartsWith(action, StringComparison.Ordinal));
            Assert.NotNull(atGitHub);
            Assert.Equal("POST", atGitHub.Method);
            Assert.Equal(manifestText, QueryHelpers.ParseQuery(atGitHub.PostData)["manifest"].ToString());

            // GitHub sends the browser back with a one-time code; Nectr converts it and shows the App, never its secrets.
            var app = FakeCreatedApp.Create(4242, "nectr-e2e");
            github.AddManifestCode("e2e-manifest-code", app);
            await page.GotoAsync(Url($"/settings/github-app/callback?code=e2e-manifest-code&state={Uri.EscapeDataString(state)}"));
            Assert.StartsWith(Url("/settings/github-app"), page.Url, StringComparison.Ordinal);
            Assert.Contains("The GitHub App is created", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(1, await page.Locator("tr[data-app='nectr-e2e']").CountAsync());
            var html = await page.ContentAsync();
            AssertNoSecrets(html, github);
            Assert.DoesNotContain(app.WebhookSecret, html, StringComparison.Ordinal);
            Assert.DoesNotContain(app.ClientSecret, html, StringComparison.Ordinal);
            Assert.DoesNotContain("PRIVATE KEY", html, StringComparison.Ordinal);
            await ScreenshotAsync(page, "github-app-created");

            watch.AssertClean();
            github.AssertNoUnexpectedCalls();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await ScreenshotAsync(page, "settings-failure");
            throw new InvalidOperationException($"The settings pages failed on {page.Url}. Responses:\n{watch.Describe()}\nServer output:\n{server.Output}", ex);
        }
    }

    private static async Task SignInAsync(FakeGitHub github, IPage page, FakeOAuthUser user, Func<string, string> url)
    {
        github.AuthorizeBrowsersAs(user);
        await page.GotoAsync(url("/"));
        await ClickAndWaitForAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }), u => u == url("/"));
        Assert.Contains($"Signed in as {user.Login}", await page.InnerTextAsync("header"), StringComparison.Ordinal);
    }

    /// <summary>A row of the effective settings table: its value as JSON and where it came from.</summary>
    private static async Task<(string Value, string From)> SettingAsync(IPage page, string key)
    {
        var row = page.Locator($"table[data-effective] tr[data-key='{key}']");
        return ((await row.Locator("td").Nth(1).InnerTextAsync()).Trim(), (await row.Locator("td").Nth(2).InnerTextAsync()).Trim());
    }

    private static Task<string?> OverridesAsync(TestDatabase database) =>
        E2EDatabase.QueryAsync(database, db => db.Repositories.AsNoTracking().Where(r => r.FullName == FullName).Select(r => r.SettingsOverridesJson).SingleAsync(Ct));

    private static void AssertNoSecrets(string html, FakeGitHub github)
    {
        Assert.DoesNotContain(E2EDatabase.Secret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(FakeGitHub.OAuthClientSecret, html, StringComparison.Ordinal);
        Assert.DoesNotContain(github.Token, html, StringComparison.Ordinal);
        Assert.DoesNotContain(Mona.Token, html, StringComparison.Ordinal);
    }

    /// <summary>Clicks and waits for the navigation it causes, armed before the click, then for the document (see DashboardFlowTests).</summary>
    private static async Task ClickAndWaitForAsync(IPage page, ILocator target, Func<string, bool> arrived)
    {
        var navigated = page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit });
        await target.ClickAsync();
        await navigated;
        await page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }

    private static Task ScreenshotAsync(IPage page, string name) => Screenshots.SaveAsync(page, $"dashboard-{name}.png");
}
