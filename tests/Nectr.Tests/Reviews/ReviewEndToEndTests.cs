using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Reviews;

/// <summary>
/// Through the front door: a signed webhook goes into the real app, the worker reviews the PR it names on the fake
/// GitHub, and the test looks at what landed on GitHub.
/// </summary>
public sealed class ReviewEndToEndTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const string AwsKey = "AKIAQ3WZ7XK2LMNP4RTV";
    private static readonly string HeadSha = "5f2c9a1e7b3d4c6a8e0f1b2d3c4e5f6a7b8c9d0e";

    private static readonly FakeFile ConfigWithKey = new("src/config.js", "modified",
        "@@ -1,4 +1,6 @@\n module.exports = {\n   region: 'eu-west-1',\n+  accessKeyId: '" + AwsKey + "',\n+  retries: 3,\n   bucket: 'logs',\n };");

    private static readonly FakeFile MergeLeftovers = new("src/handler.py", "modified",
        "@@ -10,2 +10,7 @@ def handle(event):\n     total = 0\n+<<<<<<< HEAD\n+    total += event.amount\n+=======\n+    total = event.amount\n+>>>>>>> feature/refunds\n     return total");

    private static readonly FakeFile LockFile = new("package-lock.json", "modified",
        "@@ -1,3 +1,3 @@\n {\n-  \"version\": \"1.0.0\",\n+  \"version\": \"1.0.1\",\n   \"lockfileVersion\": 3");

    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private HttpClient _client = null!;
    private readonly Jobs.LogRecorder _logs = new();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, logs: _logs);
        _client = _app.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private Task<HttpResponseMessage> DeliverAsync(int number, string sha, string fixture = "pull_request.opened.json", string? deliveryId = null) =>
        _client.SendAsync(SignedDelivery.Create("pull_request", PullRequestPayload.From(fixture, Owner, Repo, number, sha, RepoId), NectrApp.WebhookSecret, deliveryId), Ct);

    private Task WaitForJobsAsync(int count) =>
        _app.WaitUntilAsync(async db => await db.ReviewJobs.CountAsync(j => j.Status != JobStatus.Queued && j.Status != JobStatus.Running, Ct) >= count, what: $"{count} finished job(s)");

    [Fact]
    public async Task A_pr_with_a_leaked_key_conflict_markers_and_a_lock_file_gets_exactly_one_review_with_comments_on_those_lines()
    {
        _github.AddPullRequest(Owner, Repo, 42, HeadSha, [ConfigWithKey, MergeLeftovers, LockFile]);

        using var response = await DeliverAsync(42, HeadSha);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 42, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(1);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        Assert.Equal("COMMENT", review.Event);
        Assert.Equal(HeadSha, review.CommitId);
        Assert.Equal(2, review.Comments.Count);
        var key = Assert.Single(review.Comments, c => c.Path == "src/config.js");
        Assert.Equal((3, (int?)null, "RIGHT"), (key.Line, key.StartLine, key.Side));
        var conflict = Assert.Single(review.Comments, c => c.Path == "src/handler.py");
        Assert.Equal((15, (int?)11), (conflict.Line, conflict.StartLine));
        Assert.DoesNotContain(review.Comments, c => c.Path == "package-lock.json");

        var everything = review.Body + string.Concat(review.Comments.Select(c => c.Body));
        Assert.DoesNotContain(AwsKey, everything, StringComparison.Ordinal);
        Assert.Contains("Reviewed 2 of 3 files", review.Body, StringComparison.Ordinal);
        Assert.Contains("`package-lock.json` (lock file)", review.Body, StringComparison.Ordinal);
        Assert.Single(_github.ReviewsOn(Owner, Repo, 42));
        _github.AssertNoUnexpectedCalls();

        var stored = await _app.QueryAsync(db => db.Reviews.Include(r => r.Findings).AsNoTracking().SingleAsync(Ct));
        Assert.Equal(review.Id, stored.GitHubReviewId);
        Assert.Equal(2, stored.Findings.Count);
        Assert.DoesNotContain(AwsKey, stored.Body + string.Concat(stored.Findings.Select(f => f.Body + f.Title)), StringComparison.Ordinal);
        var delivery = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Reviewed, delivery.Outcome);
    }

    [Fact]
    public async Task A_first_review_costs_one_read_of_the_pr_one_of_its_settings_one_per_100_files_one_of_its_commits_one_write_one_read_of_its_comments_and_the_summary()
    {
        _github.AddPullRequest(Owner, Repo, 7, HeadSha, [ConfigWithKey]);

        await DeliverAsync(7, HeadSha);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 7, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(1);

        Assert.Equal(
            ["GET /repos/octo-org/payments/pulls/7", "GET /repos/octo-org/payments/contents/.nectr.yml", "GET /repos/octo-org/payments/pulls/7/files", "GET /repos/octo-org/payments/pulls/7/commits", "POST /repos/octo-org/payments/pulls/7/reviews",
             // the inline comments' ids, for the findings ledger (src/Nectr/Living)
             $"GET /repos/octo-org/payments/pulls/7/reviews/{review.Id}/comments",
             // the summary comment: looked for by its marker, then created (later runs edit it in place)
             "GET /repos/octo-org/payments/issues/7/comments", "POST /repos/octo-org/payments/issues/7/comments"],
            // Nectr's own login (GET /user) is asked once per process, not per review.
            _github.Requests.Where(r => r.Path != "/user").Select(r => $"{r.Method} {r.Path}"));
    }

    [Fact]
    public async Task Context_adds_two_github_calls_to_a_review_of_a_pr_with_one_linked_issue()
    {
        var pr = _github.AddPullRequest(Owner, Repo, 8, HeadSha, [ConfigWithKey]);
        pr.Body = "Fixes #12";
        _github.AddIssue(Owner, Repo, new FakeIssue(12, "Config leaks the key"));

        await DeliverAsync(8, HeadSha);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 8, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(1);

        Assert.Equal(
            ["GET /repos/octo-org/payments/pulls/8", "GET /repos/octo-org/payments/contents/.nectr.yml", "GET /repos/octo-org/payments/pulls/8/files",
             "GET /repos/octo-org/payments/pulls/8/commits", "GET /repos/octo-org/payments/issues/12", // the two context reads
             "POST /repos/octo-org/payments/pulls/8/reviews", $"GET /repos/octo-org/payments/pulls/8/reviews/{review.Id}/comments",
             "GET /repos/octo-org/payments/issues/8/comments", "POST /repos/octo-org/payments/issues/8/comments"],
            _github.Requests.Where(r => r.Path != "/user").Select(r => $"{r.Method} {r.Path}"));
        Assert.Contains("### Resolved issues\n\n- #12 — Config leaks the key\n", review.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_same_delivery_redelivered_or_resent_under_a_new_id_posts_no_second_review()
    {
        _github.AddPullRequest(Owner, Repo, 43, HeadSha, [ConfigWithKey]);
        var deliveryId = Guid.NewGuid().ToString();
        await DeliverAsync(43, HeadSha, deliveryId: deliveryId);
        await _github.WaitForReviewAsync(Owner, Repo, 43, TimeSpan.FromSeconds(30));
        await WaitForJobsAsync(1);
        var callsAfterFirstReview = _github.Requests.Count;

        using var redelivered = await DeliverAsync(43, HeadSha, deliveryId: deliveryId);
        using var resent = await DeliverAsync(43, HeadSha, fixture: "pull_request.synchronize.json");

        Assert.Equal(HttpStatusCode.OK, redelivered.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, resent.StatusCode); // stored and linked to the finished job
        var deliveries = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().OrderBy(d => d.Id).ToListAsync(Ct));
        Assert.Equal(2, deliveries.Count);
        Assert.Equal(DeliveryOutcome.Skipped, deliveries[1].Outcome);
        Assert.Contains("already handled", deliveries[1].OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(1, await _app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        Assert.Equal(callsAfterFirstReview, _github.Requests.Count); // a redelivery costs no GitHub call
        Assert.Single(_github.ReviewsOn(Owner, Repo, 43));
    }

    [Fact]
    public async Task A_250_file_pr_is_read_in_full_and_a_secret_in_file_240_is_found()
    {
        var files = Enumerable.Range(1, 250).Select(i => i == 240
            ? new FakeFile($"src/module{i:D3}.ts", "modified", "@@ -1,2 +1,3 @@\n import { x } from './x';\n+const key = '" + AwsKey + "';\n export default x;")
            : new FakeFile($"src/module{i:D3}.ts", "modified", "@@ -1,2 +1,2 @@\n import { x } from './x';\n-export default 1;\n+export default x;"))
            .ToList();
        _github.AddPullRequest(Owner, Repo, 250, HeadSha, files);

        await DeliverAsync(250, HeadSha);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 250, TimeSpan.FromSeconds(30));

        Assert.Equal(3, _github.Requests.Count(r => r.Path.EndsWith("/files", StringComparison.Ordinal)));
        var comment = Assert.Single(review.Comments);
        Assert.Equal(("src/module240.ts", 2), (comment.Path, comment.Line));
        Assert.Contains("Reviewed 250 of 250 files", review.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_post_that_fails_after_github_created_the_review_is_not_posted_again()
    {
        _github.AddPullRequest(Owner, Repo, 44, HeadSha, [ConfigWithKey]);
        _github.FailNextPostsAfterCreating(1);

        await DeliverAsync(44, HeadSha);
        await WaitForJobsAsync(1);

        Assert.Single(_github.ReviewsOn(Owner, Repo, 44));
        Assert.Equal(1, _github.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal)));
        Assert.Single(_github.CommentsOn(Owner, Repo, 44)); // the summary, once, by the attempt that finished
        Assert.Contains(_github.Requests, r => r.Method == "GET" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
        var job = await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Equal(2, job.Attempts);
    }

    [Fact]
    public async Task At_githubs_rate_limit_no_request_reaches_it_before_the_reset_and_the_review_completes()
    {
        _github.AddPullRequest(Owner, Repo, 45, HeadSha, [ConfigWithKey]);
        _github.RateLimitNext(1, TimeSpan.FromSeconds(2));

        await DeliverAsync(45, HeadSha);
        await _github.WaitForReviewAsync(Owner, Repo, 45, TimeSpan.FromSeconds(30));

        var requests = _github.Requests;
        Assert.Equal(403, requests[0].Status);
        Assert.All(requests.Skip(1), r => Assert.True(r.At >= _github.RateLimitResetAt, $"{r.Method} {r.Path} at {r.At:O} came before the reset {_github.RateLimitResetAt:O}"));
        Assert.Single(_github.ReviewsOn(Owner, Repo, 45));
    }

    [Fact]
    public async Task A_pr_whose_head_moved_on_is_skipped_as_superseded()
    {
        _github.AddPullRequest(Owner, Repo, 46, new string('9', 40), [ConfigWithKey]);

        await DeliverAsync(46, HeadSha);
        await WaitForJobsAsync(1);

        var job = await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(JobStatus.Skipped, job.Status);
        Assert.Contains("superseded", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 46));
    }

    [Fact]
    public async Task A_pr_github_does_not_know_is_parked_with_the_reason()
    {
        await DeliverAsync(404, HeadSha);
        await WaitForJobsAsync(1);

        var job = await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(JobStatus.Parked, job.Status);
        Assert.Contains("404", job.OutcomeReason, StringComparison.Ordinal);
        var delivery = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Parked, delivery.Outcome);
        Assert.Equal(job.OutcomeReason, delivery.OutcomeReason);
        // GitHub's answer is the whole story: the operator's log gets the reason, not a stack trace.
        await _logs.WaitForAsync(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.JobId == job.Id, "the job parked");
        var parked = Assert.Single(_logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.JobId == job.Id);
        Assert.Contains(job.OutcomeReason!, parked.Message, StringComparison.Ordinal);
        Assert.Null(parked.Exception);
    }
}
