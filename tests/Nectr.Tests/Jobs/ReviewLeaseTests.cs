using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Jobs;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Jobs;

/// <summary>
/// A worker that loses its lease stops its review at once and records nothing; the PR still gets exactly one review.
/// The app's clock is fake, so renewals and expiries happen exactly when the test moves it; each scenario holds the
/// worker's review POST at the fake GitHub, so the lease is lost while the review is in flight.
/// </summary>
public sealed class ReviewLeaseTests
{
    private const string Owner = "octo-org";
    private const string Repo = "leases";
    private const int Number = 3;
    private const string HeadSha = "9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b";
    private static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan Every = Lease / 3;

    private static readonly FakeFile Leak = new("app/settings.py", "modified",
        "@@ -1,2 +1,3 @@\n DEBUG = False\n+AWS_ACCESS_KEY_ID = 'AKIAQ3WZ7XK2LMNP4RTV'\n ALLOWED_HOSTS = []");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_review_whose_job_is_taken_over_is_cancelled_in_flight_and_the_pr_gets_one_review(string provider)
    {
        await using var rig = await Rig.StartAsync(provider);
        var job = await rig.JobAsync();
        Assert.Equal(job.Id, (await rig.OtherWorker().ClaimAsync("other-worker", Ct))?.Id);

        rig.Clock.Advance(Every); // the worker's next renewal is refused

        // Logged only once its review ended, and GitHub still holds the POST: the worker cancelled it.
        await rig.Logs.WaitForAsync(e => Worker(e, LeaseLost, job.Id), "the worker lost the lease");
        await rig.FinishAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_review_whose_lease_cannot_be_renewed_stops_before_the_lease_could_lapse_and_the_pr_gets_one_review(string provider)
    {
        await using var rig = await Rig.StartAsync(provider);
        var job = await rig.JobAsync();
        await rig.RefuseRenewalsAsync();

        rig.Clock.Advance(Every);
        await rig.Logs.WaitForAsync(RenewFailed, "a failed renewal");
        rig.Clock.Advance(Every);
        await rig.Logs.WaitForAsync(RenewFailed, "a second failed renewal", count: 2);
        Assert.DoesNotContain(rig.Logs.Entries, e => Worker(e, LeaseLost, job.Id)); // 20 s of a 30 s lease: still safe

        rig.Clock.Advance(Every); // past 25 s: a successor could claim the job soon
        await rig.Logs.WaitForAsync(e => Worker(e, LeaseLost, job.Id), "the worker gave up its lease");

        await rig.AllowRenewalsAsync();
        await rig.FinishAsync();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_review_that_finishes_after_its_lease_was_lost_is_not_recorded_or_logged_as_done(string provider)
    {
        await using var rig = await Rig.StartAsync(provider);
        var job = await rig.JobAsync();
        Assert.Equal(job.Id, (await rig.OtherWorker().ClaimAsync("other-worker", Ct))?.Id);

        rig.Post.Release(); // GitHub creates the review; the worker has not renewed since, so it does not know yet

        await rig.Logs.WaitForAsync(e => Worker(e, NotRecorded, job.Id), "the outcome was not recorded");
        Assert.DoesNotContain(rig.Logs.Entries, e => Worker(e, Finished, job.Id));
        var taken = await rig.JobAsync();
        Assert.Equal((JobStatus.Running, "other-worker"), (taken.Status, taken.LeaseOwner));
        Assert.Equal(0, await rig.QueryAsync(db => db.Reviews.CountAsync(Ct)));

        await rig.FinishAsync();
        Assert.Single(rig.Logs.Entries, e => Worker(e, Finished, job.Id));
    }

    // ReviewWorker's event ids.
    private const int Finished = 2;
    private const int LeaseLost = 5;
    private const int NotRecorded = 8;

    private static bool Worker(LogEntry entry, int eventId, long jobId) =>
        entry.Category == typeof(ReviewWorker).FullName && entry.EventId == eventId && entry.JobId == jobId;

    private static bool RenewFailed(LogEntry entry) => entry.Message.StartsWith("Could not renew the lease", StringComparison.Ordinal);

    private sealed class Rig : IAsyncDisposable
    {
        private FakeGitHub _github = null!;
        private TestDatabase _database = null!;
        private NectrApp _root = null!;

        public WebApplicationFactory<Program> App { get; private set; } = null!;
        public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
        public LogRecorder Logs { get; } = new();
        public StallGate Post { get; private set; } = null!;

        /// <summary>One worker on a fake clock has claimed the job, marked it PostAttempted, and its review POST is held.</summary>
        public static async Task<Rig> StartAsync(string provider)
        {
            var rig = new Rig { _github = await FakeGitHub.StartAsync() };
            rig._github.AddPullRequest(Owner, Repo, Number, HeadSha, [Leak]);
            rig.Post = rig._github.StallNext(r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
            rig._database = await TestDatabase.CreateAsync(provider);
            rig._root = new NectrApp(rig._database, rig._github.ApiUrl, rig._github.Token, new Dictionary<string, string?>
            {
                ["REVIEW_CONCURRENCY"] = "1",
                ["REVIEW_LEASE_SECONDS"] = Lease.TotalSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["LOG_LEVEL"] = "Information",
            });
            rig.App = rig._root.WithWebHostBuilder(web => web
                .ConfigureLogging(logging => logging.AddProvider(rig.Logs))
                .ConfigureTestServices(services => services.AddSingleton<TimeProvider>(rig.Clock)));

            using var client = rig.App.CreateClient();
            using var accepted = await client.SendAsync(SignedDelivery.Create("pull_request",
                PullRequestPayload.From("pull_request.opened.json", Owner, Repo, Number, HeadSha, 5151), NectrApp.WebhookSecret), Ct);
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
            await rig.Post.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            return rig;
        }

        /// <summary>The queue as another worker sees it: its clock is past this worker's lease.</summary>
        public JobQueue OtherWorker()
        {
            var services = App.Services;
            return new JobQueue(services.GetRequiredService<IDbContextFactory<NectrDb>>(), services.GetRequiredService<DbWriteGate>(),
                services.GetRequiredService<Microsoft.Extensions.Options.IOptions<JobOptions>>(), new FakeTimeProvider(Clock.GetUtcNow() + Lease + TimeSpan.FromSeconds(1)));
        }

        public Task<ReviewJob> JobAsync() => QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));

        public async Task<T> QueryAsync<T>(Func<NectrDb, Task<T>> query)
        {
            await using var db = await App.Services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(Ct);
            return await query(db);
        }

        /// <summary>The database refuses every write that keeps the job running under the same owner: renewals.</summary>
        public Task<int> RefuseRenewalsAsync() => QueryAsync(db => db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? """
              CREATE FUNCTION refuse_renewal() RETURNS trigger LANGUAGE plpgsql AS $$
              BEGIN RAISE EXCEPTION 'lease renewal refused by the test'; END $$;
              CREATE TRIGGER refuse_renewal BEFORE UPDATE ON review_jobs FOR EACH ROW
              WHEN (OLD."Status" = 1 AND NEW."Status" = 1 AND OLD."LeaseOwner" = NEW."LeaseOwner")
              EXECUTE FUNCTION refuse_renewal();
              """
            : """
              CREATE TRIGGER refuse_renewal BEFORE UPDATE ON review_jobs FOR EACH ROW
              WHEN OLD."Status" = 1 AND NEW."Status" = 1 AND OLD."LeaseOwner" = NEW."LeaseOwner"
              BEGIN SELECT RAISE(ABORT, 'lease renewal refused by the test'); END;
              """, Ct));

        public Task<int> AllowRenewalsAsync() => QueryAsync(db => db.Database.ExecuteSqlRawAsync(db.Database.IsNpgsql()
            ? "DROP TRIGGER refuse_renewal ON review_jobs"
            : "DROP TRIGGER refuse_renewal", Ct));

        /// <summary>
        /// GitHub answers the held POST (creating the review, as it may for a request whose client went away); every
        /// lease then runs out, the worker takes the job over again, finds that review by its marker and records it.
        /// </summary>
        public async Task FinishAsync()
        {
            Post.Release();
            await _github.WaitForReviewAsync(Owner, Repo, Number, TimeSpan.FromSeconds(30));
            Clock.Advance(Lease * 3);
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
            while (await QueryAsync(db => db.ReviewJobs.AnyAsync(j => j.Status != JobStatus.Done, Ct)))
            {
                Assert.True(DateTime.UtcNow < deadline, "Timed out waiting for the job to be done. Log:\n" + string.Join('\n', Logs.Entries.Select(e => e.Message)));
                await Task.Delay(50, Ct);
            }

            Assert.Single(_github.ReviewsOn(Owner, Repo, Number));
            Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal));
            Assert.Equal(1, await QueryAsync(db => db.Reviews.CountAsync(Ct)));
            Assert.Equal(DeliveryOutcome.Reviewed, (await QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct))).Outcome);
            _github.AssertNoUnexpectedCalls();
        }

        public async ValueTask DisposeAsync()
        {
            Post.Release();
            await _root.DisposeAsync();
            await _database.DisposeAsync();
            await _github.DisposeAsync();
        }
    }
}
