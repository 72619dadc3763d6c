using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Tests.Analytics;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Deployment;

/// <summary>
/// Every route the app maps, read from its own endpoint table (so a route added later is covered without touching this
/// test), called by a signed-in user with hostile values in its route parameters and in every query parameter an
/// endpoint reads: never a 5xx, and under <c>/api</c> every refusal is <c>application/problem+json</c>.
/// </summary>
public sealed class HostileRequestTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>What a careless client, a fuzzer or an attacker puts where a number, a name or a filter belongs.</summary>
    private static readonly string[] HostileValues =
    [
        "0", "-1", "2147483648", "99999999999999999999999", "1e3", "0x10", "abc", "", "%00", "a%00b", "%1B%5B31m", "%FF%FE",
        "%C0%AF", "..%2F..%2Fetc%2Fpasswd", "..", "'%20OR%201=1--", "%E2%80%AE", new string('a', 5_000), "acme%2Fapi%2Fextra",
        "%F0%9F%99%82", "%0D%0AX-Injected:%201",
    ];

    /// <summary>The query parameters endpoints read: README §API, the dashboard pages' [SupplyParameterFromQuery], OAuth's and the App's callbacks.</summary>
    private static readonly string[] QueryNames =
    [
        "page", "per_page", "days", "repo", "author", "verdict", "state", "q", "outcome", "event", "memory_type", "returnUrl",
        "type", "notice", "show", "repository", "org", "code", "error", "error_description", "installation_id", "setup_action",
    ];

    /// <summary>Sign-in configured, so <c>/auth/github</c> answers its redirect rather than "not configured".</summary>
    private static readonly Dictionary<string, string?> WithSignIn = new()
    {
        ["GITHUB_CLIENT_ID"] = FakeGitHub.OAuthClientId,
        ["GITHUB_CLIENT_SECRET"] = FakeGitHub.OAuthClientSecret,
    };

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task No_route_answers_a_server_error_to_hostile_route_or_query_values(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider, WithSignIn);
        // Review 1's pull request, whose live state a review's page asks GitHub for (an unknown one is asked every time).
        seed.GitHub.AddPullRequest("acme", "api", 1, new string('a', 40), []);
        var routes = Routes(seed.App, "GET");
        Assert.Contains("/api/v1/reviews/{id:long}", routes);
        var failures = new List<string>();

        foreach (var route in routes)
        {
            // A NUL in the path never reaches the app: Kestrel refuses it with 400 (TestServer throws instead).
            foreach (var value in HostileValues.Where(v => !v.Contains("%00", StringComparison.Ordinal)))
            {
                await ProbeAsync(seed.Alice, HttpMethod.Get, Fill(route, value), failures);
            }

            foreach (var name in QueryNames)
            {
                foreach (var value in HostileValues)
                {
                    await ProbeAsync(seed.Alice, HttpMethod.Get, $"{Fill(route, "1")}?{name}={value}", failures);
                }
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(40)));
        seed.GitHub.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_control_character_in_a_filter_is_a_400_naming_the_parameter_not_a_database_error(string provider)
    {
        await using var seed = await AnalyticsSeed.StartAsync(provider);

        foreach (var path in new[] { "/api/v1/reviews?q=a%00b", "/api/v1/events?event=%00", "/api/v1/reviews?repo=acme%2Fapi%1B" })
        {
            using var response = await seed.Alice.GetAsync(path, Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            var problem = await response.Content.ReadFromJsonAsync<JsonElement>(Ct);
            Assert.Equal("Control character in the query string", problem.GetProperty("title").GetString());
            var name = path[(path.IndexOf('?', StringComparison.Ordinal) + 1)..path.IndexOf('=', StringComparison.Ordinal)];
            Assert.Contains($"'{name}'", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        // Tabs and line breaks are text, and a search for them is answered.
        using var tab = await seed.Alice.GetAsync("/api/v1/reviews?q=a%09b", Ct);
        Assert.Equal(HttpStatusCode.OK, tab.StatusCode);
    }

    [Fact]
    public async Task A_form_value_with_a_nul_is_a_400_that_says_the_body_is_unreadable_not_a_500()
    {
        // ASP.NET's form reader throws on %00 wherever the form is first read: the dashboard's buttons, its pages.
        await using var seed = await AnalyticsSeed.StartAsync("sqlite");

        foreach (var path in new[] { "/memory/add", "/settings" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent($"repo={Uri.EscapeDataString(AnalyticsSeed.Repo)}&memory_type=project_rule&content=a%00b", Encoding.UTF8, "application/x-www-form-urlencoded"),
            };
            var csrf = await seed.Alice.GetFromJsonAsync<JsonElement>("/auth/csrf", Ct);
            request.Headers.Add(csrf.GetProperty("header_name").GetString()!, csrf.GetProperty("token").GetString());

            using var response = await seed.Alice.SendAsync(request, Ct);

            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
            Assert.Equal("Request body not readable", (await response.Content.ReadFromJsonAsync<JsonElement>(Ct)).GetProperty("title").GetString());
        }

        Assert.Equal(1, await seed.App.QueryAsync(db => db.Memories.CountAsync(Ct))); // the seed's one: nothing added
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task No_write_route_answers_a_server_error_to_hostile_route_values_or_bodies(string provider)
    {
        // BACKEND_URL set, so that connecting a repository gets as far as asking GitHub about it.
        await using var seed = await AnalyticsSeed.StartAsync(provider, new Dictionary<string, string?> { ["BACKEND_URL"] = "https://nectr.example" });
        var routes = new[] { "POST", "PUT", "PATCH", "DELETE" }
            .SelectMany(method => Routes(seed.App, method).Select(route => (Method: new HttpMethod(method), Route: route)))
            .Where(r => !r.Route.StartsWith("/api/v1/webhooks", StringComparison.Ordinal) && r.Route != "/auth/logout")
            .ToList();
        Assert.Contains((HttpMethod.Patch, "/api/v1/memory/{id:long}"), routes);
        var bodies = new[]
        {
            "{}", "[]", "null", "\"text\"", "{\"repo\":\"\\u0000\",\"content\":1}", "{\"a\":", "\0",
            // The fields the API and the dashboard's forms read, with a NUL where text goes (PostgreSQL refuses one).
            "{\"repo\":\"acme/api\",\"content\":\"a\\u0000b\",\"memory_type\":\"project_rule\",\"developer\":\"\\u0000\",\"name\":\"t\\u0000\"}",
            "{\"yaml\":\"review:\\n  enabled: \\u0000\"}",
            "repo=acme%2Fapi&content=a%00b&memory_type=project_rule&developer=%00&name=t%00&yaml=%00",
            "repo=%00&content=" + new string('x', 40_000),
        };
        var failures = new List<string>();

        foreach (var (method, route) in routes)
        {
            // Route values that name nothing, or something odd: each is refused or not found, never a crash.
            foreach (var value in HostileValues.Where(v => !v.Contains("%00", StringComparison.Ordinal) && v.Length < 100))
            {
                await ProbeAsync(seed.Alice, method, Fill(route, value), failures, "{}");
            }

            foreach (var body in bodies)
            {
                await ProbeAsync(seed.Alice, method, Fill(route, "1"), failures, body);
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures.Take(40)));
        seed.GitHub.AssertNoUnexpectedCalls();
    }

    private static async Task ProbeAsync(HttpClient client, HttpMethod method, string path, List<string> failures, string? body = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            // The antiforgery token too, so that the request reaches the handler rather than the antiforgery refusal.
            var csrf = await client.GetFromJsonAsync<JsonElement>("/auth/csrf", Ct);
            request.Headers.Add(csrf.GetProperty("header_name").GetString()!, csrf.GetProperty("token").GetString());
            request.Content = new StringContent(body, Encoding.UTF8, path.StartsWith("/api/", StringComparison.Ordinal) ? "application/json" : "application/x-www-form-urlencoded");
        }

        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        var status = (int)response.StatusCode;
        if (status >= 500)
        {
            failures.Add($"{method} {Short(path)} {Short(body ?? "")} → {status}: {Short(text)}");
        }
        else if (path.StartsWith("/api/", StringComparison.Ordinal) && status >= 400 && status != 401
            && response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            failures.Add($"{method} {Short(path)} {Short(body ?? "")} → {status} as {response.Content.Headers.ContentType}: {Short(text)}");
        }
    }

    /// <summary>The routes <paramref name="method"/> reaches, as templates (<c>/api/v1/reviews/{id:long}</c>); MCP has its own tests.</summary>
    internal static List<string> Routes(NectrApp app, string method) =>
        app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>()?.HttpMethods.Contains(method) ?? method == "GET")
            .Select(e => "/" + e.RoutePattern.RawText!.TrimStart('/'))
            .Where(r => !r.Contains("{*", StringComparison.Ordinal) && !r.StartsWith("/mcp", StringComparison.Ordinal))
            .Distinct().Order(StringComparer.Ordinal).ToList();

    internal static string Fill(string route, string value) => Regex.Replace(route, @"\{[^}]+\}", value.Length == 0 ? "%20" : value);

    private static string Short(string text) => text.Length > 160 ? text[..160] + "…" : text;
}
