using Microsoft.AspNetCore.WebUtilities;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>
/// X-Forwarded-Proto, -Host and -For are believed only from FORWARDED_ALLOW_IPS (default loopback). What Nectr
/// believes shows in the OAuth callback it builds from the request (no BACKEND_URL set): scheme and host.
/// </summary>
public sealed class ForwardedHeadersTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly (string, string)[] FromProxy = [("X-Forwarded-Proto", "https"), ("X-Forwarded-Host", "nectr.example.com"), ("X-Forwarded-For", "198.51.100.4")];

    [Theory]
    [InlineData(null, "127.0.0.1", true)]
    [InlineData(null, "::1", true)]
    [InlineData(null, "203.0.113.7", false)]
    [InlineData(null, "::ffff:127.0.0.1", true)]
    [InlineData(null, "192.168.1.20", false)]
    [InlineData("10.0.0.0/8, 192.0.2.10", "10.1.2.3", true)]
    [InlineData("10.0.0.0/8, 192.0.2.10", "192.0.2.10", true)]
    [InlineData("10.0.0.0/8, 192.0.2.10", "127.0.0.1", false)]
    [InlineData("*", "203.0.113.7", true)]
    public async Task Forwarded_scheme_and_host_are_believed_only_from_FORWARDED_ALLOW_IPS(string? allow, string? peer, bool believed)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            ["FORWARDED_ALLOW_IPS"] = allow,
            ["GITHUB_CLIENT_ID"] = "Ov23liFakeClientId01",
            ["GITHUB_CLIENT_SECRET"] = "fake-oauth-client-secret",
        });

        var answer = await DeploymentRequests.SendAsync(app, "/auth/github", peer, Ct, headers: FromProxy);

        Assert.Equal(302, answer.Status);
        var redirect = QueryHelpers.ParseQuery(new Uri(answer.Headers.Location.ToString()).Query)["redirect_uri"].ToString();
        Assert.Equal(believed ? "https://nectr.example.com/auth/github/callback" : "http://localhost/auth/github/callback", redirect);
        // The sign-in cookie follows what was believed: __Host- and Secure only for a request that really is HTTPS.
        var setCookie = answer.Headers.SetCookie.ToString();
        Assert.Equal(believed, setCookie.StartsWith("__Host-nectr-oauth=", StringComparison.Ordinal));
        Assert.Equal(believed, setCookie.Contains("secure", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task An_old_ASPNETCORE_FORWARDEDHEADERS_ENABLED_does_not_make_every_peer_trusted()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            ["FORWARDEDHEADERS_ENABLED"] = "true", // what ASPNETCORE_FORWARDEDHEADERS_ENABLED=true sets
            ["GITHUB_CLIENT_ID"] = "Ov23liFakeClientId01",
            ["GITHUB_CLIENT_SECRET"] = "fake-oauth-client-secret",
        });

        var answer = await DeploymentRequests.SendAsync(app, "/auth/github", "203.0.113.7", Ct, headers: FromProxy);

        Assert.Contains("redirect_uri=http%3A%2F%2Flocalhost%2Fauth", answer.Headers.Location.ToString(), StringComparison.Ordinal);
    }
}
