using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Issues;
using Nectr.Sync;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Issues.IssueTestKit;

namespace Nectr.Tests.Issues;

/// <summary>
/// The open-issue backfill, one step at a time as the sync runner drives it: a page of 100 per step against the fake
/// GitHub, pull requests skipped, the cursor resuming at the next page, and never more than 500 issues.
/// </summary>
public sealed class IssueBackfillTests
{
    private const string Owner = "acme";
    private const string Repo = "api";
    private const string FullName = "acme/api";
    private static readonly DateTimeOffset Start = new(2026, 11, 1, 12, 0, 0, TimeSpan.Zero);

    private static async Task<string?> StepAsync(NectrApp app, string? cursor)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var task = Assert.Single(scope.ServiceProvider.GetServices<IRepositorySyncTask>().OfType<IssueBackfill>());
        Assert.Equal("issue-backfill", task.Kind);
        return await task.StepAsync(FullName, cursor, Ct);
    }

    /// <summary>Issue <c>n</c> is the n-th most recently updated, so page p holds issues 100(p−1)+1 … 100p.</summary>
    private static void AddIssues(FakeGitHub github, int count, Func<int, bool>? isPullRequest = null)
    {
        for (var n = 1; n <= count; n++)
        {
            github.AddIssue(Owner, Repo, new FakeIssue(n, $"Issue {n}", $"Body {n}", IsPullRequest: isPullRequest?.Invoke(n) ?? false) { UpdatedAt = Start.AddMinutes(-n) });
        }
    }

    private static IReadOnlyList<string> IssueListReads(FakeGitHub github) =>
        [.. github.Requests.Where(r => r.Method == "GET" && r.Path == $"/repos/{Owner}/{Repo}/issues").Select(r => r.PathAndQuery)];

    private static Task<List<int>> StoredAsync(NectrApp app) =>
        app.QueryAsync(db => db.Issues.Where(i => i.RepositoryFullName == FullName).OrderBy(i => i.Number).Select(i => i.Number).ToListAsync(Ct));

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_step_stores_one_page_of_open_issues_skips_pull_requests_and_returns_the_next_page(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, NoWorker);
        AddIssues(github, 150, n => n % 10 == 0);
        github.AddIssue(Owner, Repo, new FakeIssue(900, "Closed long ago", State: "closed") { UpdatedAt = Start });

        Assert.Equal("2", await StepAsync(app, null));
        Assert.Equal([.. Enumerable.Range(1, 100).Where(n => n % 10 != 0)], await StoredAsync(app));
        Assert.Null(await StepAsync(app, "2"));

        Assert.Equal([.. Enumerable.Range(1, 150).Where(n => n % 10 != 0)], await StoredAsync(app));
        var row = (await RowAsync(app, FullName, 7))!;
        Assert.Equal(("Issue 7", "Body 7", "open", "octocat", Start.AddMinutes(-7).ToUnixTimeMilliseconds()), (row.Title, row.Body, row.State, row.AuthorLogin, row.UpdatedAtMs));
        Assert.Equal(2, IssueListReads(github).Count);
        Assert.All(IssueListReads(github), q => Assert.Contains("state=open", q, StringComparison.Ordinal));
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_step_resumes_at_its_cursors_page_and_the_backfill_stops_at_500_issues(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, NoWorker);
        AddIssues(github, 620);

        Assert.Equal("4", await StepAsync(app, "3"));
        Assert.Equal([.. Enumerable.Range(201, 100)], await StoredAsync(app));
        Assert.EndsWith("&page=3", Assert.Single(IssueListReads(github)), StringComparison.Ordinal);

        string? cursor = null;
        var steps = 0;
        do
        {
            cursor = await StepAsync(app, cursor);
            steps++;
        }
        while (cursor is not null);

        // GitHub still links a next page (620 issues), but 500 is the bound: five pages, then done.
        Assert.Equal(5, steps);
        Assert.Equal([.. Enumerable.Range(1, 500)], await StoredAsync(app));
        Assert.Equal(6, IssueListReads(github).Count);
        Assert.Null(await StepAsync(app, "6"));
        Assert.Equal(6, IssueListReads(github).Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_backfill_never_overwrites_an_issue_a_newer_delivery_wrote(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, NoWorker);
        using var client = app.CreateClient();
        AddIssues(github, 3);
        await DeliverAsync(client, Payload("issues.reopened.json", FullName, Issue(2, "Closed since", state: "closed", updatedAt: "2030-01-01T00:00:00Z"), action: "closed"));

        Assert.Null(await StepAsync(app, null));

        Assert.Equal(("Closed since", "closed"), ((await RowAsync(app, FullName, 2))!.Title, (await RowAsync(app, FullName, 2))!.State));
        Assert.Equal("Issue 3", (await RowAsync(app, FullName, 3))!.Title);
    }
}
