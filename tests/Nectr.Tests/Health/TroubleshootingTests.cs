using System.Net;
using System.Text.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Health;

/// <summary>Each problem an operator can hit is reported with its fix, in /health/ready and on the Settings page.</summary>
public sealed class TroubleshootingTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_a_github_token_ready_and_settings_say_to_set_github_pat()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            // Production never falls back to `gh auth token`, so the outcome does not depend on this machine's gh.
            ["APP_ENV"] = "production",
            ["GITHUB_PAT"] = "",
            ["BACKEND_URL"] = "https://nectr.example.com",
            ["AUTH_ALLOWED_USERS"] = "octocat",
        });
        var (client, _) = await app.SignedInClientAsync("octocat", 583231);
        using var __ = client;

        var warnings = await ReadyWarningsAsync(client);
        var settings = await client.GetStringAsync("/settings", Ct);

        Assert.Contains(warnings, w => w.Contains("No GitHub token", StringComparison.Ordinal) && w.Contains("set GITHUB_PAT", StringComparison.Ordinal));
        Assert.Contains("GITHUB_PAT", settings, StringComparison.Ordinal);
    }

    [Fact]
    public async Task At_githubs_rate_limit_ready_and_settings_say_until_when()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.AddPullRequest("octo-org", "ledger", 5, "0123456789abcdef0123456789abcdef01234567",
            [new FakeFile("app.py", "modified", "@@ -1 +1,2 @@\n x = 1\n+y = 2")]);
        var reset = TimeSpan.FromMinutes(10);
        github.RateLimitNext(1, reset);
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        var (client, _) = await app.SignedInClientAsync("octocat", 583231);
        using var __ = client;

        using var delivered = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo-org", "ledger", 5, "0123456789abcdef0123456789abcdef01234567", 77), NectrApp.WebhookSecret), Ct);
        Assert.Equal(HttpStatusCode.Accepted, delivered.StatusCode);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        List<string> warnings;
        while (!(warnings = await ReadyWarningsAsync(client)).Any(w => w.Contains("rate limit", StringComparison.OrdinalIgnoreCase)) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100, Ct);
        }

        var settings = await client.GetStringAsync("/settings", Ct);
        var until = github.RateLimitResetAt ?? throw new InvalidOperationException("the fake did not rate-limit");

        var warning = Assert.Single(warnings, w => w.Contains("rate limit", StringComparison.OrdinalIgnoreCase));
        // GitHub's (and the fake's) x-ratelimit-reset is whole epoch seconds, rounded up: compare with what was sent.
        var sent = DateTimeOffset.FromUnixTimeSeconds((until.ToUnixTimeMilliseconds() + 999) / 1000);
        Assert.Contains(sent.UtcDateTime.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture), warning, StringComparison.Ordinal);
        Assert.Contains("rate limit", settings, StringComparison.OrdinalIgnoreCase);
    }

    private static async Task<List<string>> ReadyWarningsAsync(HttpClient client)
    {
        using var ready = JsonDocument.Parse(await client.GetStringAsync("/health/ready", Ct));
        return ready.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
    }
}
