using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.TestHost;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nectr.Auth;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Auth;

/// <summary>Sign in with GitHub through the front door: the real app, a browser that keeps its own cookies, and the fake GitHub.</summary>
public sealed class OAuthTests
{
    private const string Callback = "https://localhost/auth/github/callback";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Sign_in_with_github_creates_a_session_that_auth_me_accepts_and_returns_to_the_local_page()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var octocat = new FakeOAuthUser(583231, "octocat", "The Octocat");

        using var done = await rig.SignInAsync(browser, octocat, "/reviews?repo=acme%2Fapi");
        var me = await browser.GetAsync("/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/reviews?repo=acme%2Fapi", done.Headers.Location!.OriginalString);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        var body = await me.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal("octocat", body.GetProperty("login").GetString());
        Assert.Equal(583231, body.GetProperty("github_id").GetInt64());
        var user = await rig.App.QueryAsync(db => db.Users.SingleAsync(u => u.GitHubId == 583231, Ct));
        Assert.Equal("The Octocat", user.Name);
        Assert.Equal("repo", user.Scopes);
        Assert.Equal(octocat.Token, await rig.App.Services.GetRequiredService<UserTokens>().GetAsync(user.Id, Ct));
        rig.GitHub.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Authorize_carries_client_id_callback_scope_state_and_an_S256_challenge_that_the_verifier_sent_later_matches()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);

        var authorizeUrl = await Rig.BeginAsync(browser);
        var query = QueryHelpers.ParseQuery(authorizeUrl.Query);
        var authorization = rig.GitHub.Authorize(authorizeUrl, new FakeOAuthUser(1, "hubot"));
        using var done = await browser.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);

        Assert.Equal(rig.GitHub.ApiUrl.Authority, authorizeUrl.Authority);
        Assert.Equal(Callback, query["redirect_uri"].ToString());
        Assert.Equal("repo", query["scope"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.True(query["state"].ToString().Length >= 32, "the state must be unguessable");
        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var exchange = Assert.Single(rig.GitHub.TokenExchanges);
        var form = QueryHelpers.ParseQuery(exchange.Body);
        var verifier = form["code_verifier"].ToString();
        Assert.InRange(verifier.Length, 43, 128);
        Assert.Equal(query["code_challenge"].ToString(), WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        Assert.Equal(Callback, form["redirect_uri"].ToString());
        Assert.Equal(FakeGitHub.OAuthClientId, form["client_id"].ToString());
        Assert.Contains("application/json", exchange.Headers["Accept"], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Session_and_sign_in_cookies_are_host_prefixed_secure_httponly_lax_and_site_wide()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);

        using var done = await rig.SignInAsync(browser, new FakeOAuthUser(2, "monalisa"));

        foreach (var cookie in new[] { browser.LastSet(OAuthState.CookieName), browser.LastSet(AuthExtensions.SessionCookie) })
        {
            Assert.StartsWith("__Host-", cookie.Name.ToString(), StringComparison.Ordinal);
            Assert.True(cookie.Secure, $"{cookie.Name} must be Secure");
            Assert.True(cookie.HttpOnly, $"{cookie.Name} must be HttpOnly");
            Assert.Equal(Microsoft.Net.Http.Headers.SameSiteMode.Lax, cookie.SameSite);
            Assert.Equal("/", cookie.Path.ToString());
            Assert.True(cookie.Domain.Length == 0, $"{cookie.Name} must not name a Domain");
        }

        Assert.DoesNotContain(OAuthState.CookieName, browser.Cookies.Keys);
        Assert.Contains(AuthExtensions.SessionCookie, browser.Cookies.Keys);
    }

    [Fact]
    public async Task A_callback_without_state_is_refused_and_nothing_is_exchanged()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(browser), new FakeOAuthUser(3, "mallory"));

        using var refused = await browser.GetAsync($"/auth/github/callback?code={authorization.Code}", Ct);

        await AssertRefusedAsync(rig, refused, HttpStatusCode.BadRequest, "missing");
    }

    [Fact]
    public async Task A_callback_in_a_browser_that_did_not_start_the_sign_in_is_refused_and_nothing_is_exchanged()
    {
        await using var rig = await Rig.StartAsync();
        using var victim = new CookieBrowser(rig.App);
        using var attacker = new CookieBrowser(rig.App);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(attacker), new FakeOAuthUser(3, "mallory"));

        // Login CSRF: the attacker's callback URL opened in the victim's browser, which holds no sign-in cookie.
        using var refused = await victim.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);

        await AssertRefusedAsync(rig, refused, HttpStatusCode.BadRequest, "nocookie");
        Assert.DoesNotContain(AuthExtensions.SessionCookie, victim.Cookies.Keys);
    }

    [Fact]
    public async Task A_callback_whose_state_differs_from_the_browsers_is_refused_and_nothing_is_exchanged()
    {
        await using var rig = await Rig.StartAsync();
        using var victim = new CookieBrowser(rig.App);
        using var attacker = new CookieBrowser(rig.App);
        await Rig.BeginAsync(victim);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(attacker), new FakeOAuthUser(3, "mallory"));

        using var refused = await victim.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);

        await AssertRefusedAsync(rig, refused, HttpStatusCode.BadRequest, "mismatch");
    }

    [Fact]
    public async Task A_state_is_accepted_once_even_when_its_cookie_is_replayed()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(browser), new FakeOAuthUser(4, "octocat"));
        var oauthCookie = browser.Cookies[OAuthState.CookieName];
        var callback = $"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}";

        using var first = await browser.GetAsync(callback, Ct);
        browser.Cookies[OAuthState.CookieName] = oauthCookie; // a copy kept by whoever captured the request
        using var replay = await browser.GetAsync(callback, Ct);

        Assert.Equal(HttpStatusCode.Redirect, first.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
        Assert.Equal("application/problem+json", replay.Content.Headers.ContentType?.MediaType);
        Assert.Equal("reused", (await replay.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("reason").GetString());
        Assert.Single(rig.GitHub.TokenExchanges);
    }

    [Fact]
    public async Task A_state_older_than_ten_minutes_is_refused_and_nothing_is_exchanged()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var rig = await Rig.StartAsync();
        var app = rig.App.WithWebHostBuilder(web => web.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(clock)));
        using var browser = new CookieBrowser(app);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(browser), new FakeOAuthUser(5, "slowpoke"));

        clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        using var refused = await browser.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);

        await AssertRefusedAsync(rig, refused, HttpStatusCode.BadRequest, "expired");
    }

    [Fact]
    public async Task Access_denied_on_github_is_explained_and_nothing_is_exchanged_or_stored()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var authorizeUrl = await Rig.BeginAsync(browser);
        var state = QueryHelpers.ParseQuery(authorizeUrl.Query)["state"].ToString();

        using var refused = await browser.GetAsync($"/auth/github/callback?error=access_denied&error_description=The+user+has+denied+your+application+access.&state={Uri.EscapeDataString(state)}", Ct);

        var problem = await AssertRefusedAsync(rig, refused, HttpStatusCode.BadRequest, "access_denied");
        Assert.Contains("/auth/github", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await rig.App.QueryAsync(db => db.Users.CountAsync(Ct)));
    }

    [Theory]
    [InlineData("redirect_uri_mismatch", Callback)]
    [InlineData("incorrect_client_credentials", "GITHUB_CLIENT_SECRET")]
    public async Task A_refused_token_exchange_names_what_to_check(string error, string named)
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var authorization = rig.GitHub.Authorize(await Rig.BeginAsync(browser), new FakeOAuthUser(6, "octocat"));
        rig.GitHub.RefuseNextTokenExchange(error);

        using var refused = await browser.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(error, problem.GetProperty("reason").GetString());
        Assert.Contains(named, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await rig.App.QueryAsync(db => db.Users.CountAsync(Ct)));
    }

    [Fact]
    public async Task A_user_not_on_the_allow_list_gets_403_and_no_session_no_row_no_token()
    {
        await using var rig = await Rig.StartAsync(new() { ["AUTH_ALLOWED_USERS"] = "OctoCat, hubot" });
        using var outsider = new CookieBrowser(rig.App);
        using var insider = new CookieBrowser(rig.App);

        using var refused = await rig.SignInAsync(outsider, new FakeOAuthUser(7, "stranger"));
        using var allowed = await rig.SignInAsync(insider, new FakeOAuthUser(8, "octocat"));

        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("AUTH_ALLOWED_USERS", (await refused.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain(AuthExtensions.SessionCookie, outsider.Cookies.Keys);
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        var logins = await rig.App.QueryAsync(db => db.Users.Select(u => u.Login).ToListAsync(Ct));
        Assert.Equal(["octocat"], logins);
    }

    [Fact]
    public async Task A_member_of_an_allowed_organisation_signs_in_and_read_org_is_requested()
    {
        await using var rig = await Rig.StartAsync(new() { ["AUTH_ALLOWED_ORGS"] = "Acme" });
        using var member = new CookieBrowser(rig.App);
        using var outsider = new CookieBrowser(rig.App);

        var authorizeUrl = await Rig.BeginAsync(member);
        var authorization = rig.GitHub.Authorize(authorizeUrl, new FakeOAuthUser(9, "coyote", null, "other-org", "acme"));
        using var allowed = await member.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);
        using var refused = await rig.SignInAsync(outsider, new FakeOAuthUser(10, "roadrunner", null, "other-org"));

        Assert.Equal("repo read:org", QueryHelpers.ParseQuery(authorizeUrl.Query)["scope"].ToString());
        Assert.Equal(HttpStatusCode.Redirect, allowed.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal(["coyote"], await rig.App.QueryAsync(db => db.Users.Select(u => u.Login).ToListAsync(Ct)));
        Assert.Contains(rig.GitHub.Requests, r => r.Path == "/user/memberships/orgs/Acme" && r.Status == 200);
        rig.GitHub.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_database_file_never_holds_the_github_token_in_plain_text()
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);
        var user = new FakeOAuthUser(11, "plaintext-probe");

        using var done = await rig.SignInAsync(browser, user);

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        var bytes = DatabaseBytes(rig.Database);
        Assert.True(Contains(bytes, Encoding.UTF8.GetBytes(user.Login)), "the probe must see the stored row (database file and WAL)");
        Assert.False(Contains(bytes, Encoding.UTF8.GetBytes(user.Token)), "the GitHub token is stored in plain text");
        Assert.False(Contains(bytes, Encoding.Unicode.GetBytes(user.Token)), "the GitHub token is stored in plain text (UTF-16)");
    }

    [Theory]
    [InlineData("https://evil.example/steal")]
    [InlineData("//evil.example/steal")]
    [InlineData("/\\evil.example/steal")]
    [InlineData("javascript:alert(1)")]
    public async Task A_return_url_off_this_site_is_ignored(string returnUrl)
    {
        await using var rig = await Rig.StartAsync();
        using var browser = new CookieBrowser(rig.App);

        using var done = await rig.SignInAsync(browser, new FakeOAuthUser(12, "octocat"), returnUrl);

        Assert.Equal(HttpStatusCode.Redirect, done.StatusCode);
        Assert.Equal("/", done.Headers.Location!.OriginalString);
    }

    [Fact]
    public async Task Without_client_credentials_sign_in_answers_503_with_the_callback_url_and_health_warns_the_same()
    {
        await using var rig = await Rig.StartAsync(new() { ["GITHUB_CLIENT_ID"] = null, ["GITHUB_CLIENT_SECRET"] = null });
        using var browser = new CookieBrowser(rig.App);

        using var refused = await browser.GetAsync("/auth/github", Ct);
        using var ready = await browser.GetAsync("/health/ready", Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        var problem = await refused.Content.ReadFromJsonAsync<JsonElement>(Ct);
        var detail = problem.GetProperty("detail").GetString()!;
        Assert.Contains("GITHUB_CLIENT_ID", detail, StringComparison.Ordinal);
        Assert.Contains("GITHUB_CLIENT_SECRET", detail, StringComparison.Ordinal);
        Assert.Contains(Callback, detail, StringComparison.Ordinal);
        Assert.Equal(Callback, problem.GetProperty("callback_url").GetString());
        var warnings = (await ready.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("warnings").EnumerateArray().Select(w => w.GetString()).ToList();
        Assert.Contains(detail, warnings);
        Assert.Contains(warnings, w => w!.Contains("AUTH_ALLOWED_USERS", StringComparison.Ordinal));
        Assert.Empty(rig.GitHub.TokenExchanges);
    }

    [Fact]
    public async Task The_callback_url_follows_BACKEND_URL_when_it_is_set()
    {
        await using var rig = await Rig.StartAsync(new() { ["BACKEND_URL"] = "https://nectr.example.com/reviewer" });
        using var browser = new CookieBrowser(rig.App);

        var authorizeUrl = await Rig.BeginAsync(browser);

        Assert.Equal("https://nectr.example.com/reviewer/auth/github/callback", QueryHelpers.ParseQuery(authorizeUrl.Query)["redirect_uri"].ToString());
    }

    private static async Task<JsonElement> AssertRefusedAsync(Rig rig, HttpResponseMessage response, HttpStatusCode status, string reason)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
        Assert.Equal(reason, problem.GetProperty("reason").GetString());
        Assert.Empty(rig.GitHub.TokenExchanges);
        Assert.DoesNotContain(response.Headers.TryGetValues("Set-Cookie", out var cookies) ? cookies : [], c => c.StartsWith(AuthExtensions.SessionCookie + "=", StringComparison.Ordinal));
        return problem;
    }

    private static byte[] DatabaseBytes(TestDatabase database)
    {
        var path = database.ConnectionString["Data Source=".Length..];
        using var all = new MemoryStream();
        foreach (var file in Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + "*"))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            stream.CopyTo(all);
        }

        return all.ToArray();
    }

    private static bool Contains(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle) >= 0;

    /// <summary>One test's world: its own database, fake GitHub (with OAuth) and app configured with an OAuth App.</summary>
    private sealed class Rig : IAsyncDisposable
    {
        private Rig(TestDatabase database, FakeGitHub gitHub, NectrApp app)
        {
            Database = database;
            GitHub = gitHub;
            App = app;
        }

        public TestDatabase Database { get; }
        public FakeGitHub GitHub { get; }
        public NectrApp App { get; }

        public static async Task<Rig> StartAsync(Dictionary<string, string?>? settings = null)
        {
            var database = await TestDatabase.CreateAsync("sqlite");
            var gitHub = await FakeGitHub.StartAsync();
            gitHub.EnableOAuth();
            var all = new Dictionary<string, string?>
            {
                ["GITHUB_CLIENT_ID"] = FakeGitHub.OAuthClientId,
                ["GITHUB_CLIENT_SECRET"] = FakeGitHub.OAuthClientSecret,
                ["GITHUB_WEB_URL"] = gitHub.ApiUrl.ToString(),
                ["REVIEW_CONCURRENCY"] = "0",
            };
            foreach (var (key, value) in settings ?? [])
            {
                all[key] = value;
            }

            return new Rig(database, gitHub, new NectrApp(database, gitHub.ApiUrl, gitHub.Token, all));
        }

        /// <summary>GET /auth/github: the browser is sent to GitHub's authorize page; returns that URL.</summary>
        public static async Task<Uri> BeginAsync(CookieBrowser browser, string? returnUrl = null)
        {
            var path = returnUrl is null ? "/auth/github" : $"/auth/github?returnUrl={Uri.EscapeDataString(returnUrl)}";
            using var response = await browser.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            return response.Headers.Location!;
        }

        /// <summary>The whole round trip: start, authorize on the fake GitHub, come back; returns the callback's answer.</summary>
        public async Task<HttpResponseMessage> SignInAsync(CookieBrowser browser, FakeOAuthUser user, string? returnUrl = null)
        {
            var authorization = GitHub.Authorize(await BeginAsync(browser, returnUrl), user);
            return await browser.GetAsync($"/auth/github/callback?code={authorization.Code}&state={Uri.EscapeDataString(authorization.State)}", Ct);
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await GitHub.DisposeAsync();
            await Database.DisposeAsync();
        }
    }
}
