using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Nectr.ApiTokens;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The API tokens page clicked through in Debian's chromium over plain http://localhost, as README's local set-up runs
/// Nectr: a signed-in user creates a token and sees it once (never cached), an agent uses it on <c>/mcp</c>, Revoke
/// ends it, and at the limit of live tokens the page says to revoke one instead of creating another, keeping the typed
/// name. No response is a 5xx and the browser reports no CSP violation.
/// </summary>
public sealed class ApiTokensBrowserTests
{
    private static readonly FakeOAuthUser Mona = new(9_292_929, "mona", "Mona Lisa");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_token_is_created_shown_once_used_on_mcp_revoked_and_past_the_limit_the_page_says_to_revoke_one()
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var port = NectrProcess.FreeLoopbackPort();
        var publicUrl = new Uri($"http://localhost:{port}/");
        await using var server = await NectrProcess.StartAsync(E2EDatabase.SignInSettings(database, github, publicUrl, Mona.Login), Ct, port: port);
        string Url(string path) => new Uri(publicUrl, path).ToString();

        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1366, Height = 900 } });
        var page = await context.NewPageAsync();
        var watch = new BrowserWatch(page);
        using var agent = new HttpClient { BaseAddress = publicUrl };
        try
        {
            github.AuthorizeBrowsersAs(Mona);
            await page.GotoAsync(Url("/"));
            await ClickAndWaitForAsync(page, page.GetByRole(AriaRole.Link, new() { Name = "Sign in with GitHub" }), u => u == Url("/"));
            await page.GotoAsync(Url("/tokens"));
            Assert.Contains("No tokens yet.", await page.InnerTextAsync("main"), StringComparison.Ordinal);

            // Create: the token is on the answer to the form's post, once, and that answer may not be cached.
            await page.GetByLabel("Name").FillAsync("Claude Desktop");
            var created = await BrowserForms.SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create token" }), "/tokens");
            Assert.Equal("no-store", created.Headers.GetValueOrDefault("cache-control"));
            var token = (await page.Locator("code[data-token]").InnerTextAsync()).Trim();
            Assert.StartsWith(ApiTokenStore.Prefix, token, StringComparison.Ordinal);
            Assert.Contains("Copy the token now", await page.Locator("div.token-created").InnerTextAsync(), StringComparison.Ordinal);
            var row = page.Locator("tr[data-token-id]");
            Assert.Equal(1, await row.CountAsync());
            Assert.Contains("Claude Desktop", await row.InnerTextAsync(), StringComparison.Ordinal);
            await Screenshots.SaveAsync(page, "dashboard-api-token-created.png");

            // Shown once: a fresh load lists the token by its prefix only.
            await page.GotoAsync(Url("/tokens"));
            Assert.Equal(0, await page.Locator("code[data-token]").CountAsync());
            Assert.DoesNotContain(token, await page.ContentAsync(), StringComparison.Ordinal);

            // An agent uses it on /mcp; after Revoke the same token is refused.
            Assert.Equal(HttpStatusCode.OK, await InitializeAsync(agent, token));
            await ClickAndWaitForAsync(page, row.GetByRole(AriaRole.Button, new() { Name = "Revoke" }), u => u.Contains("notice=revoked", StringComparison.Ordinal));
            Assert.Contains("Token revoked", await page.Locator("p.notice[role='status']").InnerTextAsync(), StringComparison.Ordinal);
            Assert.Contains("revoked", await row.InnerTextAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.Unauthorized, await InitializeAsync(agent, token));

            // At the limit of live tokens (a revoked one does not count) the form creates nothing and says why.
            await SeedLiveTokensAsync(database, ApiTokenStore.MaxLivePerUser);
            await page.GetByLabel("Name").FillAsync("One too many");
            await BrowserForms.SubmitAsync(page, page.GetByRole(AriaRole.Button, new() { Name = "Create token" }), "/tokens");
            var alert = await page.Locator("p.notice[role='alert']").InnerTextAsync();
            Assert.Contains("revoke", alert, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"{ApiTokenStore.MaxLivePerUser}", alert, StringComparison.Ordinal);
            Assert.Equal(0, await page.Locator("code[data-token]").CountAsync());
            Assert.Equal("One too many", await page.GetByLabel("Name").InputValueAsync()); // ready to create once one is revoked
            Assert.Equal(0, await E2EDatabase.QueryAsync(database, db => db.ApiTokens.CountAsync(t => t.Name == "One too many", Ct)));
            await Screenshots.SaveAsync(page, "dashboard-api-token-limit.png");

            watch.AssertClean();
            github.AssertNoUnexpectedCalls();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            await Screenshots.SaveAsync(page, "dashboard-api-tokens-failure.png");
            throw new InvalidOperationException($"The API tokens page failed on {page.Url}. Responses:\n{watch.Describe()}\nServer output:\n{server.Output}", ex);
        }
    }

    /// <summary>An MCP client's first request with <paramref name="token"/>; the status it gets.</summary>
    private static async Task<HttpStatusCode> InitializeAsync(HttpClient agent, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/mcp")
        {
            Content = new StringContent(
                """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"e2e","version":"1"}}}""",
                Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await agent.SendAsync(request, Ct);
        return response.StatusCode;
    }

    /// <summary>Live tokens for the signed-in user, as if created earlier (their secrets are never needed).</summary>
    private static Task<int> SeedLiveTokensAsync(TestDatabase database, int count) => E2EDatabase.QueryAsync(database, async db =>
    {
        var userId = await db.Users.Where(u => u.Login == Mona.Login).Select(u => u.Id).SingleAsync(Ct);
        db.ApiTokens.AddRange(Enumerable.Range(0, count).Select(i => new Nectr.Data.ApiTokenRecord
        {
            PublicId = $"seed{i:D4}", UserId = userId, Name = $"seeded {i}", SecretHash = new byte[32], CreatedAt = DateTime.UtcNow.AddDays(-1),
        }));
        return await db.SaveChangesAsync(Ct);
    });

    /// <summary>Clicks and waits for the navigation it causes, armed before the click, then for the document (see DashboardFlowTests).</summary>
    private static async Task ClickAndWaitForAsync(IPage page, ILocator target, Func<string, bool> arrived)
    {
        var navigated = page.WaitForURLAsync(arrived, new() { WaitUntil = WaitUntilState.Commit });
        await target.ClickAsync();
        await navigated;
        await page.Locator("main").WaitForAsync(new() { State = WaitForSelectorState.Attached });
    }
}
