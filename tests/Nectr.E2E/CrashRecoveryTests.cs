using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>A real server process killed with SIGKILL in the middle of a review loses nothing and posts once.</summary>
public sealed class CrashRecoveryTests
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private static readonly string HeadSha = "0c1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f6a7b8c9d";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FakeFile Leak = new("app/settings.py", "modified",
        "@@ -1,2 +1,3 @@\n DEBUG = False\n+AWS_ACCESS_KEY_ID = 'AKIAQ3WZ7XK2LMNP4RTV'\n ALLOWED_HOSTS = []");

    public static TheoryData<string> StallPoints => new() { "/files", "/reviews" };

    [Theory]
    [MemberData(nameof(StallPoints))]
    public async Task A_server_killed_mid_review_finishes_after_a_restart_with_exactly_one_review(string stallOn)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.AddPullRequest(Owner, Repo, 7, HeadSha, [Leak]);
        // "/files": killed while reading the PR. "/reviews": killed while its POST is in flight; GitHub still
        // creates that review after the client died, so the restarted worker must find it, not post again.
        var stall = github.StallNext(r => r.Path.EndsWith(stallOn, StringComparison.Ordinal) && (stallOn == "/files" || r.Method == "POST"));
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var settings = E2EDatabase.Settings(database, github, ("REVIEW_LEASE_SECONDS", "5"));

        var first = await NectrProcess.StartAsync(settings, Ct);
        using (var http = new HttpClient())
        {
            using var accepted = await http.SendAsync(SignedDelivery.Create("pull_request",
                PullRequestPayload.From("pull_request.opened.json", Owner, Repo, 7, HeadSha, 5150), E2EDatabase.Secret, baseUrl: first.BaseUrl), Ct);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, accepted.StatusCode);
        }

        await stall.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await first.KillAsync();
        stall.Release();

        await using var second = await NectrProcess.StartAsync(settings, Ct);
        await E2EDatabase.WaitUntilAsync(database, db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Done, Ct), TimeSpan.FromSeconds(60),
            "the job to finish after the restart\n" + second.Output);

        var review = Assert.Single(github.ReviewsOn(Owner, Repo, 7));
        Assert.Equal(HeadSha, review.CommitId);
        Assert.Equal("app/settings.py", Assert.Single(review.Comments).Path);
        Assert.Single(github.CommentsOn(Owner, Repo, 7)); // one summary comment, however the first process died
        if (stallOn == "/reviews")
        {
            Assert.Single(github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
            Assert.Contains(github.Requests, r => r.Method == "GET" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
        }

        var job = await E2EDatabase.QueryAsync(database, db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(2, job.Attempts);
        var delivery = await E2EDatabase.QueryAsync(database, db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Reviewed, delivery.Outcome);
    }
}
