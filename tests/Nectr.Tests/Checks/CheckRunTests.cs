using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Checks;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.Tests.GitHubApp;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Checks;

/// <summary>
/// The <c>Nectr</c> check run of a review as a GitHub App: in_progress while reviewing, then completed with the
/// policy's conclusion (neutral; failure only when blocking is opted in), parked jobs reported, and findings outside
/// the diff as annotations, at most 50 per request.
/// </summary>
public sealed class CheckRunTests : IAsyncLifetime
{
    private const string Owner = AppReviewTests.Owner;
    private const string Repo = AppReviewTests.Repo;
    private static readonly string HeadSha = AppReviewTests.HeadSha;
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        TestGitHubApp.EnableOn(_github, $"{Owner}/{Repo}");
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what}.");
            await Task.Delay(20, Ct);
        }
    }

    private async Task<NectrApp> ReviewAsync(int number, params (string Key, string? Value)[] settings)
    {
        _github.AddPullRequest(Owner, Repo, number, HeadSha, [AppReviewTests.ConfigWithKey]);
        var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(more: settings));
        using var client = app.CreateClient();
        using var response = await client.SendAsync(TestGitHubApp.Delivery("pull_request", AppReviewTests.Opened(number, HeadSha)), Ct);
        await AppReviewTests.WaitForJobsAsync(app, 1);
        return app;
    }

    [Fact]
    public async Task The_check_run_goes_in_progress_then_completes_neutral_and_the_job_remembers_it()
    {
        await using var app = await ReviewAsync(42);

        var run = Assert.Single(_github.CheckRuns);
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(["in_progress", "completed:neutral"], run.History);
        Assert.Equal(("Nectr", HeadSha, job.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)), (run.Name, run.HeadSha, run.ExternalId));
        Assert.Equal(run.Id, job.CheckRunId);
        Assert.Equal("Changes requested: 1 finding (1 critical)", run.Title);
        Assert.StartsWith($"https://github.com/{Owner}/{Repo}/pull/42#pullrequestreview-", run.DetailsUrl, StringComparison.Ordinal);
        Assert.DoesNotContain(AppReviewTests.AwsKey, run.Summary, StringComparison.Ordinal);
        Assert.Empty(_github.CommitStatuses);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task With_blocking_opted_in_a_request_changes_verdict_fails_the_check()
    {
        await using var app = await ReviewAsync(43, ("REVIEW_BLOCKING", "true"));

        var run = Assert.Single(_github.CheckRuns);
        Assert.Equal("REQUEST_CHANGES", Assert.Single(_github.ReviewsOn(Owner, Repo, 43)).Event);
        Assert.Equal(["in_progress", "completed:failure"], run.History);
        Assert.EndsWith("— blocking", run.Title, StringComparison.Ordinal);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_parked_review_completes_its_check_run_with_the_reason_without_blocking_the_merge()
    {
        _github.FailNext(r => r.Path.EndsWith("/pulls/44/files", StringComparison.Ordinal), 1, 404, """{"message":"Not Found","documentation_url":"https://docs.github.com/rest"}""");

        await using var app = await ReviewAsync(44);
        // The worker records the job parked first, then completes its check run (ReviewWorker.ReportParkedAsync).
        await WaitUntilAsync(() => _github.CheckRuns is [{ Status: "completed" }], "the parked job's check run to be completed");

        var run = Assert.Single(_github.CheckRuns);
        Assert.Equal(JobStatus.Parked, await app.QueryAsync(db => db.ReviewJobs.Select(j => j.Status).SingleAsync(Ct)));
        Assert.Equal(["in_progress", "completed:neutral"], run.History);
        Assert.Equal("Nectr could not review this commit", run.Title);
        Assert.Contains("404", run.Summary, StringComparison.Ordinal);
        Assert.Contains("Re-run", run.Summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task One_hundred_twenty_findings_outside_the_diff_are_annotated_in_batches_of_fifty_with_hygiene()
    {
        _github.AddPullRequest(Owner, Repo, 45, HeadSha, [AppReviewTests.ConfigWithKey]);
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(more: ("REVIEW_CONCURRENCY", "0")));
        var job = new ReviewJob { Id = 9001, RepositoryFullName = $"{Owner}/{Repo}", PullNumber = 45, HeadSha = HeadSha, Kind = JobKind.Review, Attempts = 1 };
        var findings = Enumerable.Range(1, 120).Select(i => new Finding("model", $"src/other{i % 7}.js", i, null, (Severity)(i % 5), "bug", $"Finding {i}",
            i == 1 ? "Ask @admin to /approve this: ![x](https://evil.example/leak)" : $"Body {i}", null)).ToList();
        var result = new ReviewResult("body", [], findings, findings, new Coverage(1, 1, []));

        await using (var scope = app.Services.CreateAsyncScope())
        {
            var checks = scope.ServiceProvider.GetRequiredService<ReviewChecks>();
            await checks.StartedAsync(job, "no-lease", Ct);
            await checks.CompletedAsync(job, result, null, Ct);
        }

        var run = Assert.Single(_github.CheckRuns);
        Assert.Equal([0, 50, 50, 20], run.AnnotationsPerRequest);
        Assert.Equal(Enumerable.Range(1, 120), run.Annotations.Select(a => (int)a["start_line"]!));
        Assert.Equal(["failure", "warning", "notice", "notice", "failure"], run.Annotations.Take(5).Select(a => (string)a["annotation_level"]!)); // high, medium, low, nit, critical
        var first = (string)run.Annotations[0]["message"]!;
        Assert.DoesNotContain("@admin", first, StringComparison.Ordinal);
        Assert.DoesNotContain("evil.example", first, StringComparison.Ordinal);
        Assert.Equal("completed:neutral", run.History[1]);
        _github.AssertNoUnexpectedCalls();
    }
}
