using System.Net;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>JSON answers are not sniffed or stored; HTTPS answers carry HSTS; plain HTTP never does.</summary>
public sealed class SecurityHeadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("GET", "/health")]
    [InlineData("GET", "/health/ready")]
    [InlineData("GET", "/api/v1/reviews/not-a-number")]
    [InlineData("POST", "/api/v1/webhooks/github")]
    public async Task Json_and_problem_answers_carry_nosniff_and_no_store(string method, string path)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        var (client, _) = await app.SignedInClientAsync("mona", 90210);
        using var __ = client;

        using var response = await client.SendAsync(new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "POST" ? new StringContent("{}") : null }, Ct);

        Assert.EndsWith("json", response.Content.Headers.ContentType?.MediaType, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(response.Headers.CacheControl?.NoStore, $"{path} ({(int)response.StatusCode}) must not be stored");
    }

    [Fact]
    public async Task Https_answers_carry_hsts_and_plain_http_answers_do_not()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var https = app.CreateClient(new() { BaseAddress = new Uri("https://nectr.example.com/") });
        using var http = app.CreateClient(new() { BaseAddress = new Uri("http://nectr.example.com/") });

        using var secure = await https.GetAsync("/health", Ct);
        using var plain = await http.GetAsync("/health", Ct);
        var viaProxy = await DeploymentRequests.SendAsync(app, "/health", "127.0.0.1", Ct, host: "nectr.example.com", headers: ("X-Forwarded-Proto", "https"));

        Assert.Equal(HttpStatusCode.OK, secure.StatusCode);
        Assert.Equal("max-age=31536000", Assert.Single(secure.Headers.GetValues("Strict-Transport-Security")));
        Assert.False(plain.Headers.Contains("Strict-Transport-Security"));
        Assert.Equal("max-age=31536000", viaProxy.Headers.StrictTransportSecurity.ToString());
    }
}
