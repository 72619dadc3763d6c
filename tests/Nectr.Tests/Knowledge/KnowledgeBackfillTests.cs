using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Sync;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Knowledge;

/// <summary>
/// The knowledge backfill against the fake GitHub, run by the sync runner one claim at a time, on both databases:
/// GitHub's list of closed pull requests is read page by page, most recently updated first, up to
/// <c>KNOWLEDGE_BACKFILL_PRS</c>, and every pull request's files once.
/// </summary>
public sealed class KnowledgeBackfillTests
{
    private const string Owner = "acme";
    private const string Name = "history";
    private const string Repo = Owner + "/" + Name;
    private const string Runner = "test-runner";
    private static readonly DateTimeOffset T0 = new(2026, 10, 1, 9, 0, 0, TimeSpan.Zero);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Closed pull requests 1..<paramref name="count"/>, a higher number updated later (so listed first); even ones merged.</summary>
    private static void AddHistory(FakeGitHub github, int count)
    {
        for (var n = 1; n <= count; n++)
        {
            var pr = github.AddPullRequest(Owner, Name, n, new string((char)('a' + n % 6), 40),
                [new FakeFile($"src/f{n % 7}.cs", "modified", "@@ -1 +1 @@\n-a\n+b"), new FakeFile("README.md", "modified", "@@ -1 +1 @@\n-a\n+b")],
                state: "closed", title: $"Change {n}");
            pr.Author = n % 3 == 0 ? "carol" : "dave";
            pr.UpdatedAt = T0.AddMinutes(n);
            pr.MergedAt = n % 2 == 0 ? T0.AddMinutes(n) : null;
        }

        github.AddPullRequest(Owner, Name, 500, new string('f', 40), [new FakeFile("src/open.cs", "added", "@@ -0,0 +1 @@\n+x")]).UpdatedAt = T0.AddDays(2);
    }

    private static NectrApp App(TestDatabase database, FakeGitHub github, int backfill) =>
        new(database, github.ApiUrl, github.Token, new Dictionary<string, string?>
        {
            ["REVIEW_CONCURRENCY"] = "0",
            ["SYNC_CONCURRENCY"] = "0",
            ["KNOWLEDGE_BACKFILL_PRS"] = backfill.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static async Task<NectrApp> StartAsync(TestDatabase database, FakeGitHub github, int backfill)
    {
        var app = App(database, github, backfill);
        app.CreateClient().Dispose();
        await app.Services.GetRequiredService<RepositorySync>().EnqueueAsync(Repo, KnowledgeBackfill.KindName, Ct);
        return app;
    }

    private static Task<SyncJobRecord> JobAsync(NectrApp app) =>
        app.QueryAsync(db => db.SyncJobs.AsNoTracking().SingleAsync(j => j.RepositoryFullName == Repo && j.Kind == KnowledgeBackfill.KindName));

    private static int FileReads(FakeGitHub github, int number) =>
        github.Requests.Count(r => r.Method == "GET" && r.Path == $"/repos/{Owner}/{Name}/pulls/{number}/files");

    /// <summary>Every indexed pull request once, with exactly its files, and nothing else.</summary>
    private static async Task AssertIndexedAsync(NectrApp app, IEnumerable<int> numbers)
    {
        var rows = await app.QueryAsync(db => db.PullRequests.AsNoTracking().Where(p => p.RepositoryFullName == Repo).OrderBy(p => p.Number).ToListAsync());
        Assert.Equal(numbers.Order(), rows.Select(r => r.Number));
        var files = await app.QueryAsync(db => db.PullRequestFiles.AsNoTracking().Where(f => f.RepositoryFullName == Repo).ToListAsync());
        var byPr = files.ToLookup(f => f.PullRequestId, f => f.Path);
        Assert.All(rows, r => Assert.Equal(["README.md", $"src/f{r.Number % 7}.cs"], byPr[r.Id].Order(StringComparer.Ordinal)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_backfill_reads_closed_prs_page_by_page_up_to_the_bound_with_author_state_merge_time_and_files_keeping_nectrs_verdicts(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        AddHistory(github, 130);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database, github, backfill: 125);
        // Nectr reviewed #130 while it was open: the backfill must not erase that verdict.
        var reviewed = new PullRequestFacts(Repo, 130, "Change 130", "dave", false, PullRequestStates.Open, null, new string('e', 40), T0);
        Assert.True(await app.Services.GetRequiredService<KnowledgeIndex>().RecordReviewAsync(reviewed, ["src/old.cs"], StoredVerdict.RequestChanges, Ct));

        Assert.True(await app.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct));

        Assert.Equal((SyncJobStatus.Done, (string?)null), ((await JobAsync(app)).Status, (await JobAsync(app)).Cursor));
        await AssertIndexedAsync(app, Enumerable.Range(6, 125)); // the 125 most recently updated closed ones: #130 down to #6
        var rows = await app.QueryAsync(db => db.PullRequests.AsNoTracking().Where(p => p.RepositoryFullName == Repo).ToDictionaryAsync(p => p.Number));
        Assert.Equal(("merged", T0.AddMinutes(130).UtcDateTime, "dave", StoredVerdict.RequestChanges), (rows[130].State, rows[130].MergedAt, rows[130].AuthorLogin, rows[130].LastVerdict));
        Assert.Equal(("closed", (DateTime?)null, "carol", (string?)null), (rows[129].State, rows[129].MergedAt, rows[129].AuthorLogin, rows[129].LastVerdict));
        Assert.Equal("Change 129", rows[129].Title);

        var lists = github.Requests.Where(r => r.Path == $"/repos/{Owner}/{Name}/pulls").Select(r => r.PathAndQuery).ToList();
        Assert.All(lists, l => Assert.Contains("state=closed", l, StringComparison.Ordinal));
        Assert.Equal(["1", "2"], lists.Select(l => System.Web.HttpUtility.ParseQueryString(new Uri("http://x" + l).Query)["page"]).Distinct());
        Assert.All(Enumerable.Range(6, 125), n => Assert.Equal(1, FileReads(github, n)));
        Assert.All(Enumerable.Range(1, 5).Append(500), n => Assert.Equal(0, FileReads(github, n)));
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task KNOWLEDGE_BACKFILL_PRS_0_turns_the_backfill_off_without_a_single_GitHub_call(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        AddHistory(github, 3);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database, github, backfill: 0);

        Assert.True(await app.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct));

        Assert.Equal(SyncJobStatus.Done, (await JobAsync(app)).Status);
        Assert.Empty(github.Requests);
        Assert.Equal(0, await app.QueryAsync(db => db.PullRequests.CountAsync()));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_backfill_that_fails_mid_page_resumes_from_its_cursor_without_duplicates_or_rereading_finished_steps(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        AddHistory(github, 60);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database, github, backfill: 50);
        // The 30th in GitHub's order (#31) fails for as long as GitHub is having a bad minute, read retries included.
        var badMinute = true;
        github.FailNext(r => Volatile.Read(ref badMinute) && FakeGitHub.PathEndsWith("GET", "/pulls/31/files")(r), int.MaxValue, 502, FakeGitHub.BadGatewayPage);

        Assert.True(await app.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct));

        var waiting = await JobAsync(app);
        Assert.Equal((SyncJobStatus.Queued, "1:20", 1), (waiting.Status, waiting.Cursor, waiting.Attempts)); // the first step (20 PRs) is kept
        Assert.Contains("502", waiting.LastError, StringComparison.Ordinal);

        Volatile.Write(ref badMinute, false);
        await app.QueryAsync(db => db.SyncJobs.ExecuteUpdateAsync(u => u.SetProperty(j => j.NextAttemptAtMs, 0L)));
        Assert.True(await app.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct));

        Assert.Equal(SyncJobStatus.Done, (await JobAsync(app)).Status);
        await AssertIndexedAsync(app, Enumerable.Range(11, 50));
        Assert.All(Enumerable.Range(41, 20), n => Assert.Equal(1, FileReads(github, n))); // the first step's PRs: read once
        Assert.All(Enumerable.Range(32, 9), n => Assert.True(FileReads(github, n) >= 2)); // the failed step ran again
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_rate_limit_mid_way_parks_nothing_the_job_waits_for_the_reset_and_another_process_finishes_it_without_duplicates(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        AddHistory(github, 40);
        await using var database = await TestDatabase.CreateAsync(provider);
        await using (var first = await StartAsync(database, github, backfill: 40))
        {
            var stall = github.StallNext(FakeGitHub.PathEndsWith("GET", "/pulls/15/files")); // the 26th in GitHub's order
            var run = first.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct);
            await stall.Entered.WaitAsync(TimeSpan.FromSeconds(30), Ct);
            github.RateLimitNext(1, TimeSpan.FromMinutes(30));
            stall.Release();
            Assert.True(await run);

            var waiting = await JobAsync(first);
            Assert.Equal((SyncJobStatus.Queued, "1:20", 0), (waiting.Status, waiting.Cursor, waiting.Attempts));
            Assert.InRange(DateTimeOffset.FromUnixTimeMilliseconds(waiting.NextAttemptAtMs), DateTimeOffset.UtcNow.AddMinutes(29), DateTimeOffset.UtcNow.AddMinutes(31));
            Assert.False(await first.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct)); // not before the reset
        }

        // The reset has passed (the job is made due): another Nectr process on the same database takes the job on.
        await using var second = App(database, github, backfill: 40);
        second.CreateClient().Dispose();
        await second.QueryAsync(db => db.SyncJobs.ExecuteUpdateAsync(u => u.SetProperty(j => j.NextAttemptAtMs, 0L)));
        Assert.True(await second.Services.GetRequiredService<SyncRunner>().RunNextAsync(Runner, Ct));

        Assert.Equal(SyncJobStatus.Done, (await JobAsync(second)).Status);
        await AssertIndexedAsync(second, Enumerable.Range(1, 40));
        Assert.All(Enumerable.Range(21, 20), n => Assert.Equal(1, FileReads(github, n)));
        github.AssertNoUnexpectedCalls();
    }
}
