using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Signed deliveries with fields no database column (or review) can take: on both databases each is a 400 that says
/// which field is wrong, stores nothing and logs one line — never a 5xx GitHub would show as a failure forever.
/// </summary>
public sealed class WebhookBadFieldsTests
{
    private static readonly Dictionary<string, (string Event, Action<JsonObject> Edit, string Field)> Cases = new()
    {
        ["event header over 100 characters"] = (new string('e', 101), _ => { }, "X-GitHub-Event"),
        ["action over 100 characters"] = ("pull_request", p => p["action"] = new string('a', 101), "action"),
        ["action with a NUL"] = ("pull_request", p => p["action"] = "opened\u0000", "action"),
        ["full_name over 200 characters"] = ("pull_request", p => p["repository"]!["full_name"] = "octo/" + new string('r', 300), "repository.full_name"),
        ["full_name with a NUL"] = ("pull_request", p => p["repository"]!["full_name"] = "octo/ap\u0000p", "repository.full_name"),
        ["full_name without a slash"] = ("pull_request", p => p["repository"]!["full_name"] = "octoapp", "repository.full_name"),
        ["head.sha over 64 characters"] = ("pull_request", p => p["pull_request"]!["head"]!["sha"] = new string('a', 65), "pull_request.head.sha"),
        ["head.sha with a NUL"] = ("pull_request", p => p["pull_request"]!["head"]!["sha"] = new string('a', 39) + "\u0000", "pull_request.head.sha"),
        ["pull request without head"] = ("pull_request", p => p["pull_request"]!.AsObject().Remove("head"), "pull_request.head"),
        ["issues event with a NUL in full_name"] = ("issues", p => p["repository"]!["full_name"] = "octo/ap\u0000p", "repository.full_name"),
    };

    public static TheoryData<string, string> Deliveries()
    {
        var data = new TheoryData<string, string>();
        foreach (var provider in new[] { "sqlite", "postgres" })
        {
            foreach (var name in Cases.Keys)
            {
                data.Add(provider, name);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Deliveries))]
    public async Task A_signed_delivery_with_a_field_no_column_can_take_is_refused_400_and_logged_once(string provider, string name)
    {
        var (eventName, edit, field) = Cases[name];
        var logs = new LogCollector();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs);
        using var client = app.CreateClient();
        logs.Mark();
        var fixture = eventName == "issues" ? "issues.opened.json" : "pull_request.opened.json";
        var body = Edit(WebhookFixtures.Load(fixture), edit);
        var deliveryId = Guid.NewGuid().ToString();
        using var request = SignedDelivery.Create(eventName, body, NectrApp.WebhookSecret, deliveryId);

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains(field, await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        var line = Assert.Single(logs.Entries, e => e.Message.Contains(deliveryId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
        Assert.Null(line.Error);
        Assert.DoesNotContain(logs.SinceMark, e => e.Level >= LogLevel.Error);
    }

    [Fact]
    public async Task A_form_encoded_webhook_gets_415_naming_the_content_type_to_set_and_stores_nothing()
    {
        // GitHub's webhook form offers application/x-www-form-urlencoded first; a hook left that way sends payload=<json>.
        var logs = new LogCollector();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs);
        using var client = app.CreateClient();
        var json = System.Text.Encoding.UTF8.GetString(WebhookFixtures.Load("pull_request.opened.json"));
        var form = System.Text.Encoding.UTF8.GetBytes("payload=" + Uri.EscapeDataString(json));
        using var request = SignedDelivery.Create("pull_request", form, NectrApp.WebhookSecret);
        request.Content!.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Contains("set Content type to application/json", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("form-encoded", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("X-GitHub-Delivery")]
    [InlineData("X-GitHub-Event")]
    public async Task A_signed_delivery_with_a_github_header_sent_twice_is_refused_400_not_stored_under_a_joined_value(string header)
    {
        var logs = new LogCollector();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs);
        using var client = app.CreateClient();
        logs.Mark();
        var deliveryId = Guid.NewGuid().ToString();
        using var request = SignedDelivery.Create("pull_request", WebhookFixtures.Load("pull_request.opened.json"), NectrApp.WebhookSecret, deliveryId);
        request.Headers.Add(header, header == "X-GitHub-Event" ? "pull_request" : Guid.NewGuid().ToString());

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains($"{header} was sent 2 times", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        var line = Assert.Single(logs.SinceMark, e => e.Message.Contains(deliveryId, StringComparison.Ordinal));
        Assert.Equal(LogLevel.Warning, line.Level);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_file_entry_without_a_filename_parks_the_job_with_a_reason_a_person_can_act_on(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        github.AddPullRequest("octo", "app", 3, Sha('3'), [new FakeFile("a.txt", "added", "@@ -0,0 +1 @@\n+hello")]);
        // GitHub's files list, as it would look with the second entry's filename left out.
        github.AddRoute(r => r.Path.EndsWith("/pulls/3/files", StringComparison.Ordinal), async (context, request) =>
        {
            request.Status = 200;
            context.Response.ContentType = "application/json; charset=utf-8";
            await context.Response.WriteAsync("""
                [{"sha":"bbcd538c8e72b8c175046e27cc8f907076331401","filename":"a.txt","status":"added","additions":1,"deletions":0,"changes":1,"patch":"@@ -0,0 +1 @@\n+hello"},
                 {"sha":"ccdd538c8e72b8c175046e27cc8f907076331401","status":"modified","additions":1,"deletions":1,"changes":2,"patch":"@@ -1 +1 @@\n-a\n+b"}]
                """);
        });

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo", "app", 3, Sha('3'), 1001), NectrApp.WebhookSecret), Ct);
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Parked, Ct), what: "the parked job");

        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Contains("without a filename (entry 2 of 2)", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("Retry", job.OutcomeReason, StringComparison.Ordinal);
        Assert.DoesNotContain("NullReference", job.OutcomeReason, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", job.OutcomeReason, StringComparison.Ordinal); // a reason for a person, not a type name
        Assert.Empty(github.AllReviews());
    }
}
