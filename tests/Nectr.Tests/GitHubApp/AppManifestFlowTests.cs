using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Webhooks;

namespace Nectr.Tests.GitHubApp;

/// <summary>
/// The dashboard's "create the App from a manifest" flow: the form carries the published manifest and a state bound
/// to the browser; the callback refuses any other state, converts a good code at the fake GitHub and keeps the App's
/// key and secrets encrypted, never showing or logging them.
/// </summary>
public sealed partial class AppManifestFlowTests
{
    private const string Backend = "https://review.acme.test";
    private const string GitHubWeb = "https://github.acme.test";
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_form_posts_the_published_manifest_to_GitHub_with_a_state_bound_to_the_browser()
    {
        await using var flow = await Flow.StartAsync();

        var (html, response) = await flow.OpenPageAsync("/settings/github-app?org=acme-corp");

        var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
        Assert.StartsWith(GitHubWeb + "/organizations/acme-corp/settings/apps/new?state=", action, StringComparison.Ordinal);
        var state = Uri.UnescapeDataString(action[(action.IndexOf("state=", StringComparison.Ordinal) + 6)..]);
        Assert.True(state.Length >= 43);
        Assert.Contains(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("__Host-nectr-app-manifest=", StringComparison.Ordinal)
            && c.Contains("secure", StringComparison.OrdinalIgnoreCase) && c.Contains("httponly", StringComparison.OrdinalIgnoreCase));
        Assert.Contains($"form-action 'self' {GitHubWeb};", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);

        var manifest = WebUtility.HtmlDecode(ManifestField().Match(html).Groups[1].Value);
        var published = await File.ReadAllTextAsync(Path.Combine(RepositoryRoot(), "docs", "github-app-manifest.json"), Ct);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(published), JsonNode.Parse(manifest.Replace("review.acme.test", "nectr.example.com", StringComparison.Ordinal))),
            $"The page's manifest differs from docs/github-app-manifest.json apart from its URLs:\n{manifest}");
        var parsed = JsonNode.Parse(manifest)!;
        Assert.Equal(Backend + "/api/v1/webhooks/github", parsed["hook_attributes"]!["url"]!.GetValue<string>());
        Assert.Equal(Backend + "/settings/github-app/callback", parsed["redirect_url"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("wrong")]
    [InlineData("missing")]
    [InlineData("no-cookie")]
    public async Task A_callback_whose_state_is_not_this_browsers_is_refused_and_GitHub_is_not_asked(string kind)
    {
        await using var flow = await Flow.StartAsync();
        var state = await flow.BeginAsync();
        flow.GitHub.AddManifestCode("code123", FakeCreatedApp.Create(101, "nectr-test"));

        using var response = await flow.CallbackAsync(kind switch
        {
            "wrong" => "code=code123&state=" + Uri.EscapeDataString(state + "x"),
            _ => "code=code123" + (kind == "no-cookie" ? "&state=" + Uri.EscapeDataString(state) : ""),
        }, withStateCookie: kind != "no-cookie");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.DoesNotContain(flow.GitHub.Requests, r => r.Path.StartsWith("/app-manifests/", StringComparison.Ordinal));
        Assert.Equal(0, await flow.App.QueryAsync(db => db.GitHubApps.CountAsync(Ct)));
    }

    [Fact]
    public async Task A_good_callback_converts_the_code_and_stores_the_App_encrypted_without_showing_or_logging_its_secrets()
    {
        await using var flow = await Flow.StartAsync();
        var state = await flow.BeginAsync();
        var created = FakeCreatedApp.Create(101, "nectr-acme");
        flow.GitHub.AddManifestCode("c0de-42", created);
        flow.Logs.Mark();

        using var response = await flow.CallbackAsync("code=c0de-42&state=" + Uri.EscapeDataString(state), withStateCookie: true);

        Assert.Equal(HttpStatusCode.SeeOther, response.StatusCode);
        Assert.Equal("/settings/github-app?notice=created", response.Headers.Location!.ToString());
        Assert.Contains(flow.GitHub.Requests, r => r.Method == "POST" && r.Path == "/app-manifests/c0de-42/conversions" && r.Status == 201);
        Assert.Empty(flow.GitHub.UnexpectedCalls); // also: the body and path passed GitHub's OpenAPI description

        var row = await flow.App.QueryAsync(db => db.GitHubApps.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((101L, "nectr-acme", "https://github.com/apps/nectr-acme"), (row.AppId, row.Slug, row.HtmlUrl));
        var protector = flow.App.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector("Nectr.GitHubApp.v1");
        Assert.Equal(created.Pem, protector.Unprotect(row.PrivateKeyProtected));
        Assert.Equal(created.WebhookSecret, protector.Unprotect(row.WebhookSecretProtected!));
        Assert.Equal(created.ClientSecret, protector.Unprotect(row.ClientSecretProtected!));
        var keyBody = created.Pem.Split('\n')[1]; // a line of the key's base64
        var stored = string.Join('\n', row.PrivateKeyProtected, row.WebhookSecretProtected, row.ClientSecretProtected);
        foreach (var secret in new[] { "BEGIN RSA", keyBody, created.WebhookSecret, created.ClientSecret })
        {
            Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        }

        var (page, _) = await flow.OpenPageAsync("/settings/github-app?notice=created");
        Assert.Contains("href=\"https://github.com/apps/nectr-acme/installations/new\"", page, StringComparison.Ordinal);
        var logged = string.Join('\n', flow.Logs.Entries.Select(e => e.Message + e.Error));
        Assert.Contains("Created GitHub App nectr-acme (101)", logged, StringComparison.Ordinal);
        foreach (var secret in new[] { "PRIVATE KEY", keyBody, created.WebhookSecret, created.ClientSecret })
        {
            Assert.DoesNotContain(secret, page, StringComparison.Ordinal);
            Assert.DoesNotContain(secret, logged, StringComparison.Ordinal);
        }

        // The callback deleted the browser's state cookie: the same link a second time is refused.
        using var replay = await flow.CallbackAsync("code=c0de-42&state=" + Uri.EscapeDataString(state), withStateCookie: false);
        Assert.Equal(HttpStatusCode.BadRequest, replay.StatusCode);
    }

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Nectr.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("Nectr.slnx not found above the test's directory.");
    }

    [GeneratedRegex("<form method=\"post\" action=\"([^\"]+)\" data-manifest-form")]
    private static partial Regex FormAction();

    [GeneratedRegex("<input type=\"hidden\" name=\"manifest\" value=\"([^\"]+)\"")]
    private static partial Regex ManifestField();

    /// <summary>A signed-in browser on Nectr, GitHub's API faked; cookies the app sets are kept by hand.</summary>
    private sealed class Flow : IAsyncDisposable
    {
        private string _session = "";
        private string? _stateCookie;
        private TestDatabase _database = null!;

        public FakeGitHub GitHub { get; private set; } = null!;

        public NectrApp App { get; private set; } = null!;

        public LogCollector Logs { get; } = new();

        public static async Task<Flow> StartAsync()
        {
            var flow = new Flow { _database = await TestDatabase.CreateAsync("sqlite"), GitHub = await FakeGitHub.StartAsync() };
            flow.App = new NectrApp(flow._database, flow.GitHub.ApiUrl, flow.GitHub.Token, new Dictionary<string, string?>
            {
                ["BACKEND_URL"] = Backend,
                ["GITHUB_WEB_URL"] = GitHubWeb,
                ["LOG_LEVEL"] = "Information",
            }, flow.Logs);
            var (client, _) = await flow.App.SignedInClientAsync("mona", 90210);
            flow._session = client.DefaultRequestHeaders.GetValues("Cookie").Single();
            client.Dispose();
            return flow;
        }

        public async Task<(string Html, HttpResponseMessage Response)> OpenPageAsync(string path)
        {
            using var client = Client(null);
            var response = await client.GetAsync(path, Ct);
            var html = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path} answered {(int)response.StatusCode}");
            if (response.Headers.TryGetValues("Set-Cookie", out var cookies)
                && cookies.FirstOrDefault(c => c.StartsWith(Nectr.GitHubApp.AppManifestState.CookieName + "=", StringComparison.Ordinal)) is { } cookie)
            {
                _stateCookie = cookie[..cookie.IndexOf(';', StringComparison.Ordinal)];
            }

            return (html, response);
        }

        /// <summary>Opens the page and returns the state its form sends to GitHub.</summary>
        public async Task<string> BeginAsync()
        {
            var (html, response) = await OpenPageAsync("/settings/github-app");
            response.Dispose();
            var action = WebUtility.HtmlDecode(FormAction().Match(html).Groups[1].Value);
            return Uri.UnescapeDataString(action[(action.IndexOf("state=", StringComparison.Ordinal) + 6)..]);
        }

        /// <summary>GitHub sends the browser back to the redirect_url with <paramref name="query"/>.</summary>
        public async Task<HttpResponseMessage> CallbackAsync(string query, bool withStateCookie)
        {
            using var client = Client(withStateCookie ? _stateCookie : null);
            return await client.GetAsync("/settings/github-app/callback?" + query, Ct);
        }

        private HttpClient Client(string? extraCookie)
        {
            var client = App.CreateClient(new() { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });
            client.DefaultRequestHeaders.Add("Cookie", extraCookie is null ? _session : _session + "; " + extraCookie);
            return client;
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await GitHub.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
