using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>Several processes on one PostgreSQL database share the queue: every job runs exactly once.</summary>
public sealed class ScaleOutTests
{
    private const string Owner = "octo-org";
    private const string Repo = "monorepo";
    private const int Jobs = 200;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Sha(int i) => i.ToString("x8", System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, 'a');

    [Fact]
    public async Task Two_server_processes_on_one_postgres_database_run_each_of_200_queued_jobs_exactly_once()
    {
        await using var github = await FakeGitHub.StartAsync();
        for (var i = 1; i <= Jobs; i++)
        {
            github.AddPullRequest(Owner, Repo, i, Sha(i), [new FakeFile($"src/f{i}.cs", "modified", "@@ -1,1 +1,2 @@\n class A {}\n+// TODO")]);
        }

        await using var database = await TestDatabase.CreateAsync("postgres");

        // A web-only instance queues all 200 jobs first, so both workers start on a full queue.
        await using (var web = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "0")), Ct))
        {
            using var http = new HttpClient();
            await Parallel.ForEachAsync(Enumerable.Range(1, Jobs), new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = Ct }, async (i, ct) =>
            {
                using var response = await http.SendAsync(SignedDelivery.Create("pull_request",
                    PullRequestPayload.From("pull_request.opened.json", Owner, Repo, i, Sha(i), 777), E2EDatabase.Secret, baseUrl: web.BaseUrl), ct);
                Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            });
        }

        Assert.Equal(Jobs, await E2EDatabase.QueryAsync(database, db => db.ReviewJobs.CountAsync(j => j.Status == JobStatus.Queued, Ct)));

        var workers = E2EDatabase.Settings(database, github, ("REVIEW_CONCURRENCY", "4"));
        var starting = new[] { NectrProcess.StartAsync(workers, Ct), NectrProcess.StartAsync(workers, Ct) };
        await using var a = await starting[0];
        await using var b = await starting[1];
        await E2EDatabase.WaitUntilAsync(database, db => db.ReviewJobs.AllAsync(j => j.Status == JobStatus.Done, Ct), TimeSpan.FromSeconds(120),
            "all 200 jobs to finish\n" + a.Output + b.Output);

        var reviews = github.AllReviews();
        Assert.Equal(Jobs, reviews.Count);
        Assert.Equal(Jobs, reviews.Select(r => r.Number).Distinct().Count());
        var jobs = await E2EDatabase.QueryAsync(database, db => db.ReviewJobs.AsNoTracking().ToListAsync(Ct));
        Assert.All(jobs, j => Assert.Equal(1, j.Attempts));
        var processes = jobs.Select(j => j.LeaseOwner!.Split(':')[1]).Distinct().Count();
        Assert.Equal(2, processes); // both processes took part
        Assert.Equal(Jobs, github.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/reviews", StringComparison.Ordinal)));
        Assert.Equal(Jobs, github.Requests.Count(r => r.Method == "POST" && r.Path.EndsWith("/comments", StringComparison.Ordinal))); // one summary per PR
        github.AssertNoUnexpectedCalls();
    }
}
