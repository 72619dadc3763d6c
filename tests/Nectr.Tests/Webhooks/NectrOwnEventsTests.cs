using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Nectr never acts on what it did itself: events its reviews cause, sent by the account of its token, are kept and
/// skipped with the reason. A pull request that account's person opens is still reviewed (the quick start runs with a
/// personal token), and the login is asked of GitHub once, not per delivery.
/// </summary>
public sealed class NectrOwnEventsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_review_event_sent_by_nectrs_own_account_is_stored_and_skipped_but_that_persons_pull_request_is_reviewed(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.ServiceLogin = "nectr-machine";
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        github.AddPullRequest("octo", "app", 2, Sha('2'), [new FakeFile("a.txt", "added", "@@ -0,0 +1 @@\n+hello")]);

        var ownReview = Edit(WebhookFixtures.Load("pull_request_review.submitted.json"), root =>
        {
            root["sender"]!["login"] = "Nectr-Machine";
            root["repository"]!["full_name"] = "octo/app";
        });
        using var reviewResponse = await client.SendAsync(SignedDelivery.Create("pull_request_review", ownReview, NectrApp.WebhookSecret), Ct);
        var ownPullRequest = Edit(PullRequestPayload.From("pull_request.opened.json", "octo", "app", 2, Sha('2'), 1001),
            root => root["sender"]!["login"] = "nectr-machine");
        using var pullRequestResponse = await client.SendAsync(SignedDelivery.Create("pull_request", ownPullRequest, NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.OK, reviewResponse.StatusCode);
        var stored = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.Event == "pull_request_review", Ct));
        Assert.Equal(DeliveryOutcome.Skipped, stored.Outcome);
        Assert.StartsWith("sent by Nectr itself (nectr-machine", stored.OutcomeReason, StringComparison.Ordinal);

        Assert.Equal(HttpStatusCode.Accepted, pullRequestResponse.StatusCode);
        await github.WaitForReviewAsync("octo", "app", 2, TimeSpan.FromSeconds(30));
        Assert.Single(github.Requests, r => r.Path == "/user");
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pull_request_event_sent_by_a_bot_account_with_nectrs_login_is_stored_and_skipped(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.ServiceLogin = "nectr-machine";
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();

        var own = Edit(PullRequestPayload.From("pull_request.opened.json", "octo", "app", 1, Sha('1'), 1001), root =>
        {
            root["sender"]!["login"] = "Nectr-Machine";
            root["sender"]!["type"] = "Bot";
        });
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", own, NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var stored = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(DeliveryOutcome.Skipped, stored.Outcome);
        Assert.StartsWith("sent by Nectr itself (nectr-machine", stored.OutcomeReason, StringComparison.Ordinal);
        Assert.Null(stored.JobId);
        Assert.Empty(github.ReviewsOn("octo", "app", 1));
        github.AssertNoUnexpectedCalls();
    }
}
