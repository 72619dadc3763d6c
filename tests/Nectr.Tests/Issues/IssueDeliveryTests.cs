using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Issues.IssueTestKit;

namespace Nectr.Tests.Issues;

/// <summary>
/// How the issue index fills through the front door: signed <c>issues</c> deliveries (GitHub's own examples) create,
/// update, close, reopen and remove an issue's row; each delivery reaches one outcome (skipped: issues start no
/// review); hostile text is stored cleaned and a broken index costs no delivery.
/// </summary>
public sealed class IssueDeliveryTests
{
    private const string FullName = "acme/api";

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Issues_deliveries_create_edit_label_close_reopen_and_delete_the_issues_row_and_a_late_older_one_changes_nothing(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", FullName)));
        var opened = (await RowAsync(app, FullName, 1))!;
        Assert.Equal(("Spelling error in the README file", "open", "bug", "Codertocat"), (opened.Title, opened.State, opened.Labels, opened.AuthorLogin));
        Assert.StartsWith("It looks like you accidently spelled 'commit' with two 't's.", opened.Body, StringComparison.Ordinal);
        Assert.Equal(DateTimeOffset.Parse("2019-05-15T15:20:18Z", System.Globalization.CultureInfo.InvariantCulture).ToUnixTimeMilliseconds(), opened.UpdatedAtMs);

        await DeliverAsync(client, Payload("issues.edited.json", FullName, Issue(1, "Spelling error in the README", "Two t's in commit.", updatedAt: "2026-11-01T10:00:00Z")));
        await DeliverAsync(client, Payload("issues.labeled.json", FullName, issue =>
        {
            Issue(1, "Spelling error in the README", "Two t's in commit.", updatedAt: "2026-11-01T11:00:00Z")(issue);
            issue["labels"]!.AsArray().Add(new JsonObject { ["id"] = 2, ["name"] = "documentation", ["color"] = "0075ca", ["default"] = true });
        }));
        var labeled = (await RowAsync(app, FullName, 1))!;
        Assert.Equal(("Spelling error in the README", "Two t's in commit.", "bug\ndocumentation"), (labeled.Title, labeled.Body, labeled.Labels));

        // GitHub has no example of "closed": its reopened example, closed again.
        await DeliverAsync(client, Payload("issues.reopened.json", FullName, Issue(1, "Spelling error in the README", "Fixed.", "closed", "2026-11-01T12:00:00Z"), action: "closed"));
        // An older delivery arriving late must not undo the newer one.
        await DeliverAsync(client, Payload("issues.edited.json", FullName, Issue(1, "Stale title", null, "open", "2026-11-01T10:30:00Z")));
        var closed = (await RowAsync(app, FullName, 1))!;
        Assert.Equal(("Spelling error in the README", "closed", "Fixed."), (closed.Title, closed.State, closed.Body));

        await DeliverAsync(client, Payload("issues.reopened.json", FullName, Issue(1, "Spelling error in the README", "Not fixed after all.", "open", "2026-11-01T13:00:00Z")));
        Assert.Equal("open", (await RowAsync(app, FullName, 1))!.State);
        await DeliverAsync(client, Payload("issues.unlabeled.json", FullName, issue =>
        {
            Issue(1, "Spelling error in the README", "Not fixed after all.", "open", "2026-11-01T14:00:00Z")(issue);
            issue["labels"] = new JsonArray();
        }));
        Assert.Equal("", (await RowAsync(app, FullName, 1))!.Labels);
        await DeliverAsync(client, Payload("issues.opened.json", FullName, Issue(2, "Another issue")));
        Assert.Equal(2, await app.QueryAsync(db => db.Issues.CountAsync(Ct)));

        await DeliverAsync(client, Payload("issues.deleted.json", FullName));
        Assert.Null(await RowAsync(app, FullName, 1));
        Assert.NotNull(await RowAsync(app, FullName, 2));

        var deliveries = await app.QueryAsync(db => db.Deliveries.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(9, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal((DeliveryOutcome.Skipped, true), (d.Outcome, d.OutcomeReason!.Contains("issue index", StringComparison.Ordinal))));
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_issues_example_is_answered_once_and_pull_requests_and_transferred_issues_are_not_indexed(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();

        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", "octo-org/octo-repo")));
        foreach (var fixture in WebhookFixtures.All("issues"))
        {
            Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, fixture.Body));
        }

        Assert.Equal(WebhookFixtures.All("issues").Count() + 1, await app.QueryAsync(db => db.Deliveries.CountAsync(d => d.Outcome == DeliveryOutcome.Skipped, Ct)));
        // The milestone examples carry a pull request (issue #2 has a pull_request key): not an issue.
        Assert.Null(await RowAsync(app, "Codertocat/Hello-World", 2));
        // The transferred example moves octo-org/octo-repo#1 to another repository: it leaves this one's index.
        Assert.Null(await RowAsync(app, "octo-org/octo-repo", 1));
        Assert.Equal("open", (await RowAsync(app, "Codertocat/Hello-World", 1))!.State);
        Assert.Equal(1, await app.QueryAsync(db => db.Issues.CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Hostile_issue_text_is_stored_cleaned_and_wrong_types_cost_the_field_not_the_delivery(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();

        var hugeBody = "Steps\0 to reproduce " + new string('x', IssueModel.MaxBodyLength - 20) + "\U0001F600" + new string('y', 100_000);
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", FullName, issue =>
        {
            Issue(5, "Crash\0 on start" + new string('!', 1000), hugeBody)(issue);
            issue["user"]!["login"] = new string('m', 150);
            issue["labels"] = new JsonArray(new JsonObject { ["name"] = "bug\0" }, new JsonObject { ["name"] = "two\nlines" }, new JsonObject { ["id"] = 3 }, "plain");
        })));
        var cleaned = (await RowAsync(app, FullName, 5))!;
        Assert.Equal("Crash on start" + new string('!', IssueModel.MaxTitleLength - 14), cleaned.Title);
        // The emoji would be split at the bound: it is left out whole, and the NUL is gone.
        Assert.Equal("Steps to reproduce " + new string('x', IssueModel.MaxBodyLength - 20), cleaned.Body);
        Assert.Equal(("", "bug\ntwo lines"), (cleaned.AuthorLogin, cleaned.Labels));

        var before = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.edited.json", FullName, issue =>
        {
            issue["number"] = 6;
            issue["title"] = 123;
            issue["body"] = new JsonObject { ["x"] = 1 };
            issue["labels"] = "bug";
            issue["user"] = "octocat";
            issue["updated_at"] = 42;
        })));
        var typed = (await RowAsync(app, FullName, 6))!;
        Assert.Equal(("", "", "", "", "open"), (typed.Title, typed.Body, typed.Labels, typed.AuthorLogin, typed.State));
        Assert.True(typed.UpdatedAtMs >= before, "a missing updated_at is the time of receipt");

        // A lone surrogate (valid JSON, invalid text) in the body, a number that is a string, a state GitHub never sends.
        var lone = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(Payload("issues.opened.json", FullName, Issue(7, "Lone surrogate", "BODY")))
            .Replace("\"BODY\"", "\"half \\ud800 a pair\"", StringComparison.Ordinal));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, lone));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", FullName, issue => issue["number"] = "8")));
        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", FullName, Issue(9, "Odd state", state: "weird"))));

        Assert.Equal(("Lone surrogate", ""), ((await RowAsync(app, FullName, 7))!.Title, (await RowAsync(app, FullName, 7))!.Body));
        Assert.Null(await RowAsync(app, FullName, 8));
        Assert.Null(await RowAsync(app, FullName, 9));
        Assert.Equal(5, await app.QueryAsync(db => db.Deliveries.CountAsync(d => d.Outcome == DeliveryOutcome.Skipped, Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_broken_issue_index_costs_no_delivery_and_no_pull_request_index_write(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: NoWorker);
        using var client = app.CreateClient();
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE issues;", Ct));

        Assert.Equal(HttpStatusCode.OK, await DeliverAsync(client, Payload("issues.opened.json", FullName)));
        var pr = PullRequestPayload.From("pull_request.opened.json", "acme", "api", 3, new string('a', 40), 4242);
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", pr, NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var issue = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Event == "issues", Ct));
        Assert.Equal(DeliveryOutcome.Skipped, issue.Outcome);
        Assert.Equal(1, await app.QueryAsync(db => db.PullRequests.CountAsync(p => p.Number == 3, Ct)));
    }
}
