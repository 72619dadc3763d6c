using System.Net;
using System.Text.RegularExpressions;
using Nectr.Auth;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>
/// The README's own local set-up: http://localhost after sign-in. Every page, every button and sign-out work over
/// plain HTTP (antiforgery used to throw "not an SSL request": 500), with cookies a browser keeps and sends back;
/// over HTTPS the same cookies are still <c>__Host-</c> and Secure.
/// </summary>
public sealed partial class PlainHttpTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private static readonly string[] Pages = ["/", "/repositories", "/reviews", "/activity", "/settings"];

    [Fact]
    public async Task Over_plain_http_sign_in_every_page_connect_disconnect_retry_and_logout_work_with_cookies_that_round_trip()
    {
        await using var rig = await Rig.StartAsync("http://localhost");
        using var browser = new CookieBrowser(rig.App, new Uri("http://localhost/"));
        var statuses = new List<(string Request, HttpStatusCode Status)>();
        async Task<HttpResponseMessage> Get(string path)
        {
            var response = await browser.GetAsync(path, Ct);
            statuses.Add(("GET " + path, response.StatusCode));
            return response;
        }

        async Task<HttpResponseMessage> Post(string path, string token)
        {
            var response = await browser.PostFormAsync(path, [new("__RequestVerificationToken", token)], Ct);
            statuses.Add(("POST " + path, response.StatusCode));
            return response;
        }

        // Sign in with GitHub: the state cookie must survive the trip to GitHub and back.
        using var start = await Get("/auth/github");
        var authorization = rig.GitHub.Authorize(start.Headers.Location!, Rig.Mona);
        Assert.Equal("http://localhost/auth/github/callback", authorization.RedirectUri);
        using var callback = await Get($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}");
        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/", callback.Headers.Location!.OriginalString);

        foreach (var page in Pages.Append($"/reviews/{rig.Seed.ReviewId}").Append("/signin"))
        {
            using var response = await Get(page);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        using var csrf = await Get("/auth/csrf");
        Assert.Equal(HttpStatusCode.OK, csrf.StatusCode);

        var token = FormToken(await (await Get("/repositories")).Content.ReadAsStringAsync(Ct));
        using (var connect = await Post($"/repositories/{Rig.Owner}/{Rig.Name}/connect", token))
        {
            Assert.Equal(HttpStatusCode.SeeOther, connect.StatusCode);
            Assert.Contains("notice=connected", connect.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Single(rig.GitHub.HooksOn(Rig.Owner, Rig.Name));
        }

        using (var disconnect = await Post($"/repositories/{Rig.Owner}/{Rig.Name}/disconnect", token))
        {
            Assert.Equal(HttpStatusCode.SeeOther, disconnect.StatusCode);
            Assert.Contains("notice=disconnected", disconnect.Headers.Location!.OriginalString, StringComparison.Ordinal);
            Assert.Empty(rig.GitHub.HooksOn(Rig.Owner, Rig.Name));
        }

        using (var retry = await Post($"/activity/{rig.Seed.ParkedDeliveryId}/retry", token))
        {
            Assert.Equal(HttpStatusCode.SeeOther, retry.StatusCode);
            Assert.Equal("/activity?notice=retried", retry.Headers.Location!.OriginalString);
        }

        using (var logout = await Post("/auth/logout", FormToken(await (await Get("/")).Content.ReadAsStringAsync(Ct))))
        {
            Assert.Equal(HttpStatusCode.Redirect, logout.StatusCode);
            Assert.Equal("/signin", logout.Headers.Location!.OriginalString);
        }

        using (var after = await Get("/auth/me"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, after.StatusCode);
        }

        Assert.DoesNotContain(statuses, s => (int)s.Status >= 500);
        // Every cookie was one a browser keeps over http: no __Host- name, no Secure flag, nothing refused.
        Assert.Empty(browser.Rejected);
        Assert.Contains(browser.SetCookies, c => c.Name == "nectr-oauth");
        Assert.Contains(browser.SetCookies, c => c.Name == "nectr");
        Assert.Contains(browser.SetCookies, c => c.Name == "nectr-af");
        Assert.All(browser.SetCookies, c =>
        {
            Assert.False(c.Secure);
            Assert.True(c.HttpOnly);
            Assert.DoesNotContain("__Host-", c.Name.ToString(), StringComparison.Ordinal);
        });
        rig.GitHub.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Over_https_the_session_antiforgery_and_sign_in_cookies_stay_host_prefixed_and_secure()
    {
        await using var rig = await Rig.StartAsync("https://localhost");
        using var browser = new CookieBrowser(rig.App);

        using var start = await browser.GetAsync("/auth/github", Ct);
        var authorization = rig.GitHub.Authorize(start.Headers.Location!, Rig.Mona);
        using var callback = await browser.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);
        using var page = await browser.GetAsync("/repositories", Ct);

        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Empty(browser.Rejected);
        foreach (var name in new[] { AuthExtensions.SessionCookie, AuthExtensions.AntiforgeryCookie, OAuthState.CookieName })
        {
            var cookie = browser.LastSet(name);
            Assert.StartsWith("__Host-", name, StringComparison.Ordinal);
            Assert.True(cookie.Secure, name + " must be Secure");
            Assert.True(cookie.HttpOnly, name + " must be HttpOnly");
            Assert.Equal("/", cookie.Path.ToString());
            Assert.False(cookie.Domain.HasValue);
        }

        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Strict, browser.LastSet(AuthExtensions.AntiforgeryCookie).SameSite);
        Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, browser.LastSet(AuthExtensions.SessionCookie).SameSite);
        Assert.DoesNotContain(browser.SetCookies, c => c.Name.ToString() is "nectr" or "nectr-af" or "nectr-oauth");
    }

    [Fact]
    public async Task Over_https_a_session_cookie_without_the_host_prefix_is_not_accepted()
    {
        await using var rig = await Rig.StartAsync("http://localhost");
        using var http = new CookieBrowser(rig.App, new Uri("http://localhost/"));
        using var start = await http.GetAsync("/auth/github", Ct);
        var authorization = rig.GitHub.Authorize(start.Headers.Location!, Rig.Mona);
        using var callback = await http.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);
        var session = http.Cookies["nectr"];

        // The same session value, planted under the unprefixed name on an HTTPS request (as a man in the middle of
        // plain HTTP could): HTTPS reads only __Host-nectr, so it is anonymous there.
        using var https = rig.App.CreateClient(new() { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });
        using var request = new HttpRequestMessage(HttpMethod.Get, "/auth/me");
        request.Headers.Add("Cookie", "nectr=" + session);
        using var me = await https.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, me.StatusCode);
    }

    private static string FormToken(string html) =>
        TokenField().Match(html) is { Success: true } match ? WebUtility.HtmlDecode(match.Groups[1].Value) : throw new InvalidOperationException("no antiforgery field in the page");

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenField();

    /// <summary>The dashboard seed, a fake GitHub that signs mona in and lets her administer one more repository, and the app.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        public const string Owner = "acme";
        public const string Name = "tools";
        public static readonly FakeOAuthUser Mona = new(DashboardSeed.GitHubId, DashboardSeed.Login, "Mona");

        private Rig(TestDatabase database, FakeGitHub gitHub, NectrApp app, DashboardSeed.Ids seed)
        {
            Database = database;
            GitHub = gitHub;
            App = app;
            Seed = seed;
        }

        public TestDatabase Database { get; }
        public FakeGitHub GitHub { get; }
        public NectrApp App { get; }
        public DashboardSeed.Ids Seed { get; }

        public static async Task<Rig> StartAsync(string backendUrl)
        {
            var database = await TestDatabase.CreateAsync("sqlite");
            var gitHub = await FakeGitHub.StartAsync();
            gitHub.EnableOAuth();
            gitHub.Grant(Mona.Token, gitHub.AddRepository(DashboardSeed.Connected.Split('/')[0], DashboardSeed.Connected.Split('/')[1], 1001), admin: true);
            gitHub.Grant(Mona.Token, gitHub.AddRepository(Owner, Name, 1004), admin: true);
            var app = new NectrApp(database, gitHub.ApiUrl, gitHub.Token, new Dictionary<string, string?>
            {
                ["APP_ENV"] = "development",
                ["BACKEND_URL"] = backendUrl,
                ["GITHUB_CLIENT_ID"] = FakeGitHub.OAuthClientId,
                ["GITHUB_CLIENT_SECRET"] = FakeGitHub.OAuthClientSecret,
                ["GITHUB_WEB_URL"] = gitHub.ApiUrl.ToString(),
                ["AUTH_ALLOWED_USERS"] = Mona.Login,
                ["REVIEW_CONCURRENCY"] = "0",
            });
            var seed = await app.QueryAsync(DashboardSeed.SeedAsync);
            return new Rig(database, gitHub, app, seed);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await GitHub.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
