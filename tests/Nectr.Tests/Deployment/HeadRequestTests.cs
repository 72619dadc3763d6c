using System.Net;
using Nectr.Tests.Analytics;

namespace Nectr.Tests.Deployment;

/// <summary>
/// HEAD is answered wherever GET is (RFC 9110 §9.1; uptime monitors and load balancers probe with HEAD): every GET route
/// of the app's endpoint table answers a HEAD with the status and content type its GET gets. Endpoints are mapped for
/// GET only, so without Deployment/HeadRequests each of these was a 405.
/// </summary>
public sealed class HeadRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Every_get_route_answers_head_as_its_get_signed_in_and_not()
    {
        await using var seed = await AnalyticsSeed.StartAsync("sqlite");
        seed.GitHub.AddPullRequest("acme", "api", 1, new string('a', 40), []);
        using var anonymous = seed.App.CreateClient(new() { AllowAutoRedirect = false });
        var routes = HostileRequestTests.Routes(seed.App, "GET");
        Assert.Contains("/health", routes);
        var mismatches = new List<string>();

        foreach (var client in new[] { seed.Alice, anonymous })
        {
            foreach (var path in routes.Select(r => HostileRequestTests.Fill(r, "1")))
            {
                using var get = await client.GetAsync(path, Ct);
                using var head = await client.SendAsync(new HttpRequestMessage(HttpMethod.Head, path), Ct);
                if (head.StatusCode != get.StatusCode || head.Content.Headers.ContentType?.MediaType != get.Content.Headers.ContentType?.MediaType)
                {
                    mismatches.Add($"{path}: GET {(int)get.StatusCode} {get.Content.Headers.ContentType}, HEAD {(int)head.StatusCode} {head.Content.Headers.ContentType}");
                }
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches));
        using var health = await anonymous.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/health"), Ct);
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);
    }
}
