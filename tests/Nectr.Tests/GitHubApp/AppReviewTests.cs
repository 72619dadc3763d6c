using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>
/// Nectr as a GitHub App, through the front door: deliveries signed with the App's webhook secret, every repository
/// call made with an installation token (the PAT set here is one the fake GitHub refuses), reviews posted as
/// &lt;slug&gt;[bot], and the token order App → PAT for a repository the App is not installed on.
/// </summary>
public sealed class AppReviewTests : IAsyncLifetime
{
    internal const string Owner = "octo-org";
    internal const string Repo = "payments";
    internal const long RepoId = 987_654;
    internal const string AwsKey = "AKIAQ3WZ7XK2LMNP4RTV";
    internal static readonly string HeadSha = "5f2c9a1e7b3d4c6a8e0f1b2d3c4e5f6a7b8c9d0e";

    internal static readonly FakeFile ConfigWithKey = new("src/config.js", "modified",
        "@@ -1,4 +1,6 @@\n module.exports = {\n   region: 'eu-west-1',\n+  accessKeyId: '" + AwsKey + "',\n+  retries: 3,\n   bucket: 'logs',\n };");

    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    internal static byte[] Opened(int number, string sha, string repo = Repo, long repoId = RepoId) =>
        PullRequestPayload.From("pull_request.opened.json", Owner, repo, number, sha, repoId);

    internal static Task WaitForJobsAsync(NectrApp app, int count) =>
        app.WaitUntilAsync(async db => await db.ReviewJobs.CountAsync(j => j.Status != JobStatus.Queued && j.Status != JobStatus.Running, Ct) >= count, what: $"{count} finished job(s)");

    [Fact]
    public async Task As_an_App_the_review_is_posted_with_an_installation_token_as_the_slug_bot()
    {
        TestGitHubApp.EnableOn(_github, $"{Owner}/{Repo}");
        _github.AddPullRequest(Owner, Repo, 42, HeadSha, [ConfigWithKey]);
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings());
        using var client = app.CreateClient();

        using var response = await client.SendAsync(TestGitHubApp.Delivery("pull_request", Opened(42, HeadSha)), Ct);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 42, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(app, 1);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal(TestGitHubApp.Bot, review.Author);
        var token = Assert.Single(_github.IssuedTokens).Token;
        Assert.All(_github.Requests.Where(r => r.Path.StartsWith("/repos/", StringComparison.Ordinal) && !r.Path.EndsWith("/installation", StringComparison.Ordinal)),
            r => Assert.Equal("Bearer " + token, r.Headers["Authorization"]));
        Assert.DoesNotContain(_github.Requests, r => r.Path == "/user");
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Nectr_as_an_App_learns_its_slug_from_GitHub_and_skips_what_its_own_bot_sent()
    {
        TestGitHubApp.EnableOn(_github, $"{Owner}/{Repo}");
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(slug: false));
        using var client = app.CreateClient();
        var body = JsonNode.Parse(WebhookFixtures.Load("pull_request_review.submitted.json"))!.AsObject();
        body["sender"]!["login"] = TestGitHubApp.Bot;
        body["sender"]!["type"] = "Bot";

        using var response = await client.SendAsync(TestGitHubApp.Delivery("pull_request_review", JsonSerializer.SerializeToUtf8Bytes(body)), Ct);
        var answer = await response.Content.ReadFromJsonAsync<JsonObject>(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"sent by Nectr itself ({TestGitHubApp.Bot}", (string?)answer!["reason"], StringComparison.Ordinal);
        Assert.Single(_github.Requests, r => r.Path == "/app");
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_repository_the_App_is_not_installed_on_is_reviewed_with_the_PAT_and_reported_as_a_commit_status()
    {
        TestGitHubApp.EnableOn(_github, "octo-org/elsewhere");
        _github.AddPullRequest(Owner, Repo, 43, HeadSha, [ConfigWithKey]);
        await using var app = new NectrApp(_database, _github.ApiUrl, _github.Token, TestGitHubApp.Settings(more: ("REVIEW_COMMIT_STATUS", "true")));
        using var client = app.CreateClient();

        using var response = await client.SendAsync(TestGitHubApp.Delivery("pull_request", Opened(43, HeadSha)), Ct);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 43, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(app, 1);

        Assert.Equal(_github.ServiceLogin, review.Author);
        Assert.Empty(_github.IssuedTokens);
        Assert.Empty(_github.CheckRuns);
        Assert.Equal(["pending", "success"], _github.CommitStatuses.Select(s => s.State));
        Assert.All(_github.CommitStatuses, s => Assert.Equal(("Nectr", HeadSha), (s.Context, s.Sha)));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task With_a_PAT_and_no_App_the_review_reports_a_pending_then_final_commit_status_linking_the_review()
    {
        _github.AddPullRequest(Owner, Repo, 44, HeadSha, [ConfigWithKey]);
        await using var app = new NectrApp(_database, _github.ApiUrl, _github.Token, new Dictionary<string, string?> { ["REVIEW_COMMIT_STATUS"] = "true" });
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", Opened(44, HeadSha), NectrApp.WebhookSecret), Ct);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 44, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(app, 1);

        var statuses = _github.CommitStatuses;
        Assert.Equal(["pending", "success"], statuses.Select(s => s.State));
        Assert.Equal($"https://github.com/{Owner}/{Repo}/pull/44#pullrequestreview-{review.Id}", statuses[1].TargetUrl);
        Assert.StartsWith("Changes requested: 1 finding", statuses[1].Description, StringComparison.Ordinal);
        Assert.Equal(_github.ServiceLogin, statuses[1].Actor);
        Assert.DoesNotContain(_github.Requests, r => r.Path.StartsWith("/app", StringComparison.Ordinal));
        _github.AssertNoUnexpectedCalls();
    }
}
