using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.GitHubApp;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Checks;

/// <summary>The Re-run button of Nectr's check run (<c>check_run.rerequested</c>) reviews the head again; other check runs are ignored.</summary>
public sealed class CheckRerunTests : IAsyncLifetime
{
    private const string Owner = AppReviewTests.Owner;
    private const string Repo = AppReviewTests.Repo;
    private const long RepoId = AppReviewTests.RepoId;
    private static readonly string HeadSha = AppReviewTests.HeadSha;
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        TestGitHubApp.EnableOn(_github, $"{Owner}/{Repo}");
        _github.AddPullRequest(Owner, Repo, 42, HeadSha, [AppReviewTests.ConfigWithKey]);
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings());
        _client = _app.CreateClient();
        using var opened = await _client.SendAsync(TestGitHubApp.Delivery("pull_request", AppReviewTests.Opened(42, HeadSha)), Ct);
        await AppReviewTests.WaitForJobsAsync(_app, 1);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private async Task<(HttpStatusCode Status, JsonObject Answer)> RerequestAsync(long appId = TestGitHubApp.AppId, string name = "Nectr", string sender = "octocat", string? senderType = null)
    {
        var body = JsonNode.Parse(TestGitHubApp.Rerequested(Owner, Repo, RepoId, 42, HeadSha, appId, name, sender))!.AsObject();
        if (senderType is not null)
        {
            body["sender"]!["type"] = senderType;
        }

        using var response = await _client.SendAsync(TestGitHubApp.Delivery("check_run", System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(body)), Ct);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<JsonObject>(Ct))!);
    }

    [Fact]
    public async Task Re_running_Nectr_check_run_reviews_the_same_head_again_in_full_with_a_new_check_run()
    {
        var (status, _) = await RerequestAsync();
        await AppReviewTests.WaitForJobsAsync(_app, 2);

        Assert.Equal(HttpStatusCode.Accepted, status);
        var jobs = await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().OrderBy(j => j.Id).ToListAsync(Ct));
        Assert.Equal([(HeadSha, 0, false, (string?)null), (HeadSha, 1, true, "octocat")], jobs.Select(j => (j.HeadSha, j.Rerun, j.Full, j.RequestedBy)));
        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        var delivery = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Event == "check_run", Ct));
        Assert.Equal((42, HeadSha, DeliveryOutcome.Reviewed), (delivery.PullNumber, delivery.HeadSha, delivery.Outcome));
        Assert.Equal(2, _github.CheckRuns.Count);
        Assert.All(_github.CheckRuns, r => Assert.Equal("completed:neutral", r.History[^1]));
        Assert.Equal(jobs.Select(j => j.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), _github.CheckRuns.Select(r => r.ExternalId));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_check_run_of_another_App_another_name_or_a_bot_is_stored_and_skipped()
    {
        var foreign = _github.AddForeignCheckRun(Owner, Repo, HeadSha, 999, "ci");

        var other = await RerequestAsync(appId: foreign.AppId, name: foreign.Name);
        var renamed = await RerequestAsync(name: "Nectr (old)");
        var bot = await RerequestAsync(sender: "dependabot[bot]", senderType: "Bot");

        Assert.All([other, renamed, bot], r => Assert.Equal((HttpStatusCode.OK, "skipped"), (r.Status, (string?)r.Answer["outcome"])));
        Assert.Equal("check_run.rerequested for a check run that is not Nectr's", (string?)other.Answer["reason"]);
        Assert.Equal("check_run.rerequested for a check run that is not Nectr's", (string?)renamed.Answer["reason"]);
        Assert.StartsWith("check_run.rerequested by a bot", (string?)bot.Answer["reason"], StringComparison.Ordinal);
        Assert.Equal(1, await _app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        _github.AssertNoUnexpectedCalls();
    }
}
