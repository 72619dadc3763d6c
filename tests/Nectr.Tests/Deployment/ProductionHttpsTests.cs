using System.Net;
using System.Text.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>
/// Production over plain HTTP that no trusted proxy vouches for: browser and API paths get an answer naming both
/// fixes (serve HTTPS, or set FORWARDED_ALLOW_IPS), never a 500 or a half-working sign-in; health probes and
/// GitHub's deliveries keep working over plain HTTP.
/// </summary>
public sealed class ProductionHttpsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    internal static Dictionary<string, string?> Production => new()
    {
        ["APP_ENV"] = "production",
        ["BACKEND_URL"] = "https://nectr.example.com",
        ["AUTH_ALLOWED_USERS"] = "mona",
        ["GITHUB_CLIENT_ID"] = "Ov23liFakeClientId01",
        ["GITHUB_CLIENT_SECRET"] = "fake-oauth-client-secret",
        ["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"] = "true",
    };

    [Theory]
    [InlineData("/")]
    [InlineData("/signin")]
    [InlineData("/repositories")]
    [InlineData("/settings")]
    public async Task Dashboard_pages_over_untrusted_plain_http_show_a_page_that_says_to_use_https_or_set_FORWARDED_ALLOW_IPS(string path)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: Production);
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://localhost/"), AllowAutoRedirect = false });

        using var response = await client.GetAsync(path, Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Nectr must be served over HTTPS", html, StringComparison.Ordinal);
        Assert.Contains("FORWARDED_ALLOW_IPS", html, StringComparison.Ordinal);
        Assert.Contains("https://nectr.example.com/", html, StringComparison.Ordinal);
        Assert.False(response.Headers.Contains("Set-Cookie"));
    }

    [Theory]
    [InlineData("GET", "/auth/csrf")]
    [InlineData("GET", "/auth/github")]
    [InlineData("GET", "/auth/me")]
    [InlineData("POST", "/auth/logout")]
    [InlineData("GET", "/api/v1/repos")]
    [InlineData("POST", "/repositories/acme/api/connect")]
    public async Task Browser_and_api_requests_over_untrusted_plain_http_get_a_problem_with_the_fix(string method, string path)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: Production);
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://localhost/"), AllowAutoRedirect = false });

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path), Ct);
        var body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        if (path.StartsWith("/repositories", StringComparison.Ordinal))
        {
            Assert.Contains("FORWARDED_ALLOW_IPS", body, StringComparison.Ordinal);
            return;
        }

        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(body);
        Assert.Equal("Nectr must be served over HTTPS", problem.RootElement.GetProperty("title").GetString());
        Assert.Contains("FORWARDED_ALLOW_IPS", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_probes_and_signed_webhook_deliveries_keep_working_over_plain_http()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: Production);
        using var client = app.CreateClient(new() { BaseAddress = new Uri("http://localhost/") });

        foreach (var path in new[] { "/health", "/health/live", "/health/ready" })
        {
            using var health = await client.GetAsync(path, Ct);
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        using var ping = await client.SendAsync(SignedDelivery.Create("ping", """{"zen":"Keep it logically awesome.","hook_id":1}"""u8.ToArray(), NectrApp.WebhookSecret), Ct);
        Assert.True(ping.IsSuccessStatusCode, $"ping answered {(int)ping.StatusCode}");
    }

    [Fact]
    public async Task A_trusted_proxy_saying_https_is_believed_and_an_untrusted_peer_saying_the_same_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: Production);
        (string, string)[] https = [("X-Forwarded-Proto", "https"), ("X-Forwarded-For", "198.51.100.4")];

        var viaProxy = await DeploymentRequests.SendAsync(app, "/auth/csrf", "127.0.0.1", Ct, headers: https);
        var direct = await DeploymentRequests.SendAsync(app, "/auth/csrf", "203.0.113.7", Ct, headers: https);
        var plainViaProxy = await DeploymentRequests.SendAsync(app, "/auth/csrf", "127.0.0.1", Ct, headers: ("X-Forwarded-For", "198.51.100.4"));

        Assert.Equal(401, viaProxy.Status); // past the HTTPS check: the endpoint itself asks for a session
        Assert.Equal(403, direct.Status);
        Assert.Contains("203.0.113.7", direct.Body, StringComparison.Ordinal);
        // The proxy is trusted but said nothing about https: still plain HTTP, and the client is the forwarded one.
        Assert.Equal(403, plainViaProxy.Status);
        Assert.Contains("198.51.100.4", plainViaProxy.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_refusal_health_ready_says_why_sign_in_fails_and_names_the_fix_but_stays_ready()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: Production);

        var before = await DeploymentRequests.SendAsync(app, "/health/ready", "10.0.0.5", Ct);
        var refused = await DeploymentRequests.SendAsync(app, "/", "10.0.0.5", Ct, headers: ("X-Forwarded-Proto", "https"));
        var after = await DeploymentRequests.SendAsync(app, "/health/ready", "10.0.0.5", Ct);

        Assert.Equal(403, refused.Status);
        Assert.DoesNotContain("plain HTTP", before.Body, StringComparison.Ordinal);
        Assert.Equal(200, after.Status);
        using var ready = JsonDocument.Parse(after.Body);
        var warning = Assert.Single(ready.RootElement.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("plain HTTP", StringComparison.Ordinal)).GetString()!;
        Assert.Contains("with X-Forwarded-Proto, from an address Nectr does not trust: 10.0.0.5", warning, StringComparison.Ordinal);
        Assert.Contains("FORWARDED_ALLOW_IPS", warning, StringComparison.Ordinal);
    }
}
