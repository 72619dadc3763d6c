using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Playwright;
using Nectr.Auth;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// The two ways people run Nectr, each with a real process and Debian's chromium: on a developer's machine over plain
/// http://localhost, and in production behind nginx terminating TLS. Either way the whole browser journey works
/// (sign in, every page, Connect, Disconnect, sign out) and no response is a 5xx.
/// </summary>
public sealed class DeploymentFlowTests
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private static readonly FakeOAuthUser Mona = new(9_191_919, "mona", "Mona Lisa");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Over_plain_http_localhost_the_whole_dashboard_journey_works_without_a_server_error()
    {
        await using var github = await FakeGitHubWithMonaAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var port = NectrProcess.FreeLoopbackPort();
        var publicUrl = new Uri($"http://localhost:{port}/");
        await using var server = await NectrProcess.StartAsync(E2EDatabase.SignInSettings(database, github, publicUrl, Mona.Login), Ct, port: port);

        await using var chromium = await Chromium.LaunchAsync();
        await using var context = await chromium.Browser.NewContextAsync();
        var page = await context.NewPageAsync();
        var journey = new DashboardJourney(page, publicUrl);
        try
        {
            await journey.RunAsync(github, Owner, Repo);
            var cookies = await CookiesSeenAsync(context, journey);
            journey.AssertNoServerErrors();
            // Over plain HTTP the browser kept the session and antiforgery cookies without the __Host- prefix.
            Assert.Contains("nectr-af", cookies);
            Assert.Equal($"{publicUrl}auth/github/callback", Assert.Single(github.TokenExchanges.Select(e => QueryHelpers.ParseQuery(e.Body)["redirect_uri"].ToString()).Distinct()));
            github.AssertNoUnexpectedCalls();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"The plain-HTTP journey failed on {page.Url}. Responses:\n{Describe(journey)}\nServer output:\n{server.Output}", ex);
        }
    }

    [Fact]
    public async Task Behind_nginx_terminating_tls_in_production_the_journey_works_on_the_public_url_and_an_untrusted_forwarded_proto_is_not_believed()
    {
        await using var github = await FakeGitHubWithMonaAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var nectrPort = NectrProcess.FreeLoopbackPort();
        await using var nginx = await Nginx.StartAsync(new Uri($"http://127.0.0.1:{nectrPort}/"), Ct);
        var publicUrl = nginx.BaseUrl;
        await using var server = await NectrProcess.StartAsync(E2EDatabase.SignInSettings(database, github, publicUrl, Mona.Login,
            ("APP_ENV", "production"),
            ("FORWARDED_ALLOW_IPS", "127.0.0.1"),
            ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true")), Ct, port: nectrPort);

        await using var chromium = await Chromium.LaunchAsync();
        // nginx's certificate is a throwaway self-signed one made for this test.
        await using var context = await chromium.Browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var page = await context.NewPageAsync();
        var journey = new DashboardJourney(page, publicUrl);
        try
        {
            await journey.RunAsync(github, Owner, Repo);
            var cookies = await CookiesSeenAsync(context, journey);
            journey.AssertNoServerErrors();
            // Through the proxy Nectr knew the browser spoke HTTPS: __Host- cookies, and the public callback URL.
            Assert.Contains(AuthExtensions.AntiforgeryCookie, cookies);
            Assert.DoesNotContain("nectr-af", cookies);
            Assert.Equal($"{publicUrl}auth/github/callback", Assert.Single(github.TokenExchanges.Select(e => QueryHelpers.ParseQuery(e.Body)["redirect_uri"].ToString()).Distinct()));
            Assert.Contains(github.Requests, r => r.Method == "POST" && r.Path == $"/repos/{Owner}/{Repo}/hooks" && r.Body.Contains($"{publicUrl}api/v1/webhooks/github", StringComparison.Ordinal));

            // GitHub's deliveries pass through the proxy too.
            using (var viaProxy = ProxyClient())
            {
                using var ping = await viaProxy.SendAsync(SignedDelivery.Create("ping", """{"zen":"Design for failure.","hook_id":1}"""u8.ToArray(), E2EDatabase.Secret, baseUrl: publicUrl), Ct);
                Assert.Equal(HttpStatusCode.OK, ping.StatusCode);
            }

            // A client reaching Nectr directly from an address FORWARDED_ALLOW_IPS does not list cannot claim HTTPS.
            using (var direct = ClientFrom(IPAddress.Parse("127.0.0.2")))
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.BaseUrl, "/auth/csrf"));
                request.Headers.Add("X-Forwarded-Proto", "https");
                using var refused = await direct.SendAsync(request, Ct);
                Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
                using var problem = JsonDocument.Parse(await refused.Content.ReadAsStringAsync(Ct));
                Assert.Equal("Nectr must be served over HTTPS", problem.RootElement.GetProperty("title").GetString());
                Assert.Contains("127.0.0.2", problem.RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
                using var health = await direct.GetAsync(new Uri(server.BaseUrl, "/health/ready"), Ct);
                Assert.Equal(HttpStatusCode.OK, health.StatusCode); // load balancers probe health over plain HTTP
            }

            github.AssertNoUnexpectedCalls();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException($"The journey behind nginx failed on {page.Url}. Responses:\n{Describe(journey)}\nServer output:\n{server.Output}\nnginx error log:\n{nginx.ErrorLog}", ex);
        }
    }

    private static async Task<FakeGitHub> FakeGitHubWithMonaAsync()
    {
        var github = await FakeGitHub.StartAsync();
        github.AuthorizeBrowsersAs(Mona);
        github.Grant(Mona.Token, github.AddRepository(Owner, Repo, 708_112_346), admin: true);
        return github;
    }

    /// <summary>The names of the cookies the browser holds for Nectr after the journey (sign-out drops the session).</summary>
    private static async Task<IReadOnlyList<string>> CookiesSeenAsync(IBrowserContext context, DashboardJourney journey) =>
        (await context.CookiesAsync([journey.Url("/")])).Select(c => c.Name).ToList();

    private static string Describe(DashboardJourney journey) => string.Join('\n', journey.Responses.Select(r => $"{r.Status} {r.Method} {r.Url}"));

    /// <summary>A client for nginx's throwaway certificate.</summary>
    private static HttpClient ProxyClient() => new(new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator });

    /// <summary>A client whose connections leave from <paramref name="source"/> (any 127.0.0.0/8 address is this machine).</summary>
    private static HttpClient ClientFrom(IPAddress source) => new(new SocketsHttpHandler
    {
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            try
            {
                socket.Bind(new IPEndPoint(source, 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    });
}
