using System.Net;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Knowledge;

/// <summary>
/// How the knowledge index fills, through the front door: signed <c>pull_request</c> deliveries update the pull
/// request's row, a review records its files and verdict, and a broken index fails neither.
/// </summary>
public sealed class KnowledgeIndexTests
{
    private const string Owner = "acme";
    private const string Repo = "api";
    private const string FullName = "acme/api";
    private const long RepoId = 4242;
    private static readonly string ShaA = new('a', 40);
    private static readonly string ShaB = new('b', 40);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly FakeFile FileA = new("src/a.cs", "modified", "@@ -1,1 +1,2 @@\n var a = 1;\n+var b = 2;");
    private static readonly FakeFile FileB = new("src/b.cs", "added", "@@ -0,0 +1,1 @@\n+class B { }");

    private static async Task<HttpStatusCode> DeliverAsync(HttpClient client, string fixture, int number, string sha, Action<JsonObject>? edit = null, string? deliveryId = null)
    {
        var body = PullRequestPayload.From(fixture, Owner, Repo, number, sha, RepoId);
        if (edit is not null)
        {
            body = Webhooks.WebhookTestKit.Edit(body, root => edit(root["pull_request"]!.AsObject()));
        }

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret, deliveryId), Ct);
        return response.StatusCode;
    }

    private static Task<PullRequestRecord> RowAsync(NectrApp app, int number) =>
        app.QueryAsync(db => db.PullRequests.AsNoTracking().SingleAsync(p => p.RepositoryFullName == FullName && p.Number == number, Ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_hostile_title_or_login_is_stored_cleaned_and_does_not_cost_the_index_its_row(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(client, "pull_request.opened.json", 9, ShaA, pr =>
        {
            pr["title"] = "Fix\u0000 it" + new string('!', 1000);
            pr["user"]!["login"] = new string('m', 150);
        }));

        var row = await RowAsync(app, 9);
        Assert.Equal("Fix it" + new string('!', KnowledgeModel.MaxTitleLength - 6), row.Title);
        Assert.Equal("", row.AuthorLogin);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_pull_request_delivery_updates_the_prs_row_and_a_late_older_one_changes_nothing(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(client, "pull_request.opened.json", 7, ShaA, pr => pr["updated_at"] = "2026-11-01T10:00:00Z"));
        var opened = await RowAsync(app, 7);
        Assert.Equal(("Update the README with new information.", "Codertocat", false, "open", ShaA, (string?)null),
            (opened.Title, opened.AuthorLogin, opened.AuthorIsBot, opened.State, opened.HeadSha, opened.LastVerdict));

        await DeliverAsync(client, "pull_request.synchronize.json", 7, ShaB, pr =>
        {
            pr["title"] = "Renamed";
            pr["updated_at"] = "2026-11-01T11:00:00Z";
        });
        // GitHub does not promise order: an older event arriving late must not undo the newer one.
        await DeliverAsync(client, "pull_request.labeled.json", 7, ShaA, pr => pr["updated_at"] = "2026-11-01T10:30:00Z");
        var synchronized = await RowAsync(app, 7);
        Assert.Equal(("Renamed", ShaB, "open"), (synchronized.Title, synchronized.HeadSha, synchronized.State));

        var merged = Guid.NewGuid().ToString();
        Action<JsonObject> merge = pr =>
        {
            pr["merged"] = true;
            pr["merged_at"] = "2026-11-01T12:00:00Z";
            pr["updated_at"] = "2026-11-01T12:00:00Z";
        };
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, "pull_request.closed.json", 7, ShaB, merge, merged));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, "pull_request.closed.json", 7, ShaB, merge, merged)); // a redelivery
        await DeliverAsync(client, "pull_request.closed.json", 7, ShaB, merge); // the same facts again under a new id

        var closed = await RowAsync(app, 7);
        Assert.Equal(("merged", new DateTime(2026, 11, 1, 12, 0, 0, DateTimeKind.Utc)), (closed.State, closed.MergedAt?.ToUniversalTime()));
        Assert.Equal(new DateTimeOffset(2026, 11, 1, 12, 0, 0, TimeSpan.Zero).ToUnixTimeMilliseconds(), closed.UpdatedAtMs);
        Assert.Equal(1, await app.QueryAsync(db => db.PullRequests.CountAsync(Ct)));

        await DeliverAsync(client, "pull_request.opened.json", 8, ShaA, pr => pr["user"] = new JsonObject { ["login"] = "dependabot[bot]", ["id"] = 49699333, ["type"] = "Bot" });
        Assert.True((await RowAsync(app, 8)).AuthorIsBot);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_review_records_the_prs_files_and_verdict_and_closing_the_pr_moves_it_from_conflicts_to_related_work(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        github.AddPullRequest(Owner, Repo, 42, ShaA, [FileA, FileB], title: "Add B");

        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(client, "pull_request.opened.json", 42, ShaA));
        await github.WaitForReviewAsync(Owner, Repo, 42, TimeSpan.FromSeconds(30));
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Done, Ct), what: "the finished job");

        var row = await RowAsync(app, 42);
        var files = await app.QueryAsync(db => db.PullRequestFiles.Where(f => f.PullRequestId == row.Id).OrderBy(f => f.Path).Select(f => f.Path).ToListAsync(Ct));
        Assert.Equal(["src/a.cs", "src/b.cs"], files);
        Assert.Equal(StoredVerdict.Approve, row.LastVerdict);
        var queries = app.Services.GetRequiredService<KnowledgeQueries>();
        Assert.Equal([(42, "open")], (await queries.OpenConflictsAsync(FullName, 43, ["src/b.cs"], Ct)).Select(c => (c.Number, c.State)));
        Assert.Empty(await queries.OpenConflictsAsync(FullName, 42, ["src/b.cs"], Ct));

        await DeliverAsync(client, "pull_request.closed.json", 42, ShaA, pr => pr["updated_at"] = "2030-01-01T00:00:00Z");

        Assert.Empty(await queries.OpenConflictsAsync(FullName, 43, ["src/b.cs"], Ct));
        var related = Assert.Single(await queries.RelatedPullRequestsAsync(FullName, 43, ["src/a.cs", "src/b.cs"], Ct));
        Assert.Equal((42, "closed", StoredVerdict.Approve, 2), (related.Number, related.State, related.Verdict, related.SharedFiles));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_broken_index_fails_neither_intake_nor_the_review(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE pull_request_files; DROP TABLE pull_requests;", Ct));
        github.AddPullRequest(Owner, Repo, 42, ShaA, [FileA]);

        Assert.Equal(HttpStatusCode.Accepted, await DeliverAsync(client, "pull_request.opened.json", 42, ShaA));
        var review = await github.WaitForReviewAsync(Owner, Repo, 42, TimeSpan.FromSeconds(30));
        await app.WaitUntilAsync(db => db.Deliveries.AnyAsync(d => d.Outcome == DeliveryOutcome.Reviewed, Ct), what: "the reviewed delivery");

        Assert.Contains("Reviewed without: file history (the database failed).", review.Body, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Done, await app.QueryAsync(db => db.ReviewJobs.Select(j => j.Status).SingleAsync(Ct)));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, "pull_request.closed.json", 42, ShaA));
    }
}
