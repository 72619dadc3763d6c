using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Issues;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Issues.IssueTestKit;

namespace Nectr.Tests.Issues;

/// <summary>
/// The issue index's answers for a review: candidate issues (BM25 over the repository's most recently updated open
/// issues, linked ones excluded), one issue by number, and a search over open and closed issues. The issues arrive
/// as signed deliveries.
/// </summary>
public sealed class IssueIndexTests
{
    private const string FullName = "acme/api";

    private const string PrTitle = "Refresh expired OAuth tokens on login";
    private const string PrBody = "The login handler now refreshes the token.";

    private static async Task SeedAsync(HttpClient client)
    {
        (int Number, string Title, string Body, string State, string Repository)[] issues =
        [
            (1, "Login fails with an expired OAuth token", "Users are sent back to the login page when the OAuth refresh token has expired.", "open", FullName),
            (2, "Dark mode for the dashboard", "The dashboard should follow the system colour scheme.", "open", FullName),
            (3, "Retry webhook delivery", "Webhook deliveries that fail are never retried.", "open", FullName),
            (4, "Token refresh race", "Two requests refreshing the token at once both write it.", "open", FullName),
            (5, "Docs: typo in README", "Small typo in the installation section.", "open", FullName),
            (6, "Expired OAuth token on login, again", "The login page loops when the OAuth token expired.", "closed", FullName),
            (7, "Login fails with an expired OAuth token", "Same words, another repository.", "open", "acme/web"),
        ];
        foreach (var (number, title, body, state, repository) in issues)
        {
            await DeliverAsync(client, Payload("issues.opened.json", repository, Issue(number, title, body, state)));
        }
    }

    private static async Task<T> AskAsync<T>(NectrApp app, Func<IssueIndex, Task<T>> ask)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await ask(scope.ServiceProvider.GetRequiredService<IssueIndex>());
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Candidates_are_the_repositorys_open_issues_ranked_against_the_pr_without_the_linked_ones(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();
        await SeedAsync(client);

        var ranked = await AskAsync(app, index => index.CandidatesAsync(FullName, PrTitle, PrBody, [], Ct));
        var excluded = await AskAsync(app, index => index.CandidatesAsync(FullName, PrTitle, PrBody, [1], Ct));
        var unrelated = await AskAsync(app, index => index.CandidatesAsync(FullName, "Bump the version", null, [], Ct));

        // Closed #6 and acme/web#7 share the words too; neither is an open issue of this repository.
        Assert.Equal([1, 4], ranked.Select(c => c.Number));
        Assert.Equal("Login fails with an expired OAuth token", ranked[0].Title);
        Assert.True(ranked[0].Score > ranked[1].Score);
        Assert.Equal([4], excluded.Select(c => c.Number));
        Assert.Empty(unrelated);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Candidates_come_from_the_500_most_recently_updated_open_issues(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        var start = new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero);
        await app.QueryAsync(async db =>
        {
            // Issue 1 is the least recently updated of 501 open issues, and the only one about a zebra.
            db.Issues.AddRange(Enumerable.Range(1, IssueIndex.MaxOpenIssues + 1).Select(n => new IssueRecord
            {
                RepositoryFullName = FullName, Number = n, Title = n == 1 ? "Zebra stripes render wrong" : $"Widget {n}", Body = "",
                State = "open", Labels = "", AuthorLogin = "octocat", UpdatedAtMs = start.AddMinutes(n).ToUnixTimeMilliseconds(),
            }));
            return await db.SaveChangesAsync(Ct);
        });

        Assert.Empty(await AskAsync(app, index => index.CandidatesAsync(FullName, "Fix zebra stripes", null, [], Ct)));

        using var client = app.CreateClient();
        await DeliverAsync(client, Payload("issues.edited.json", FullName, Issue(1, "Zebra stripes render wrong", updatedAt: "2027-01-01T00:00:00Z")));

        Assert.Equal([1], (await AskAsync(app, index => index.CandidatesAsync(FullName, "Fix zebra stripes", null, [], Ct))).Select(c => c.Number));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Find_returns_an_issue_of_the_repository_and_search_ranks_open_and_closed_issues(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();
        await SeedAsync(client);

        var found = await AskAsync(app, index => index.FindAsync(FullName, 6, Ct));
        Assert.Equivalent(new IssueDetails(6, "Expired OAuth token on login, again", "The login page loops when the OAuth token expired.", "closed", ["bug"]), found);
        Assert.Null(await AskAsync(app, index => index.FindAsync(FullName, 7, Ct)));
        Assert.Null(await AskAsync(app, index => index.FindAsync(FullName, 99, Ct)));

        var hits = await AskAsync(app, index => index.SearchAsync(FullName, "oauth login loop", 10, Ct));
        Assert.Equal([6, 1], hits.Select(h => h.Number));
        Assert.Equal("closed", hits[0].State);
        Assert.Equal([6], (await AskAsync(app, index => index.SearchAsync(FullName, "oauth login loop", 1, Ct))).Select(h => h.Number));
        // One word finds the one issue that uses it; nothing to search for finds nothing.
        Assert.Equal([5], (await AskAsync(app, index => index.SearchAsync(FullName, "installation", 10, Ct))).Select(h => h.Number));
        Assert.Empty(await AskAsync(app, index => index.SearchAsync(FullName, "   ", 10, Ct)));
        Assert.Empty(await AskAsync(app, index => index.SearchAsync("acme/none", "oauth", 10, Ct)));
    }
}
