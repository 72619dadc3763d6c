using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>Deliveries sent by the account of Nectr's own token are kept, skipped with the reason, and never reviewed.</summary>
public sealed class NectrOwnEventsTests
{
    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_pull_request_event_sent_by_nectrs_own_account_is_stored_and_skipped_and_others_are_reviewed(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        github.ServiceLogin = "nectr-machine";
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        github.AddPullRequest("octo", "app", 2, Sha('2'), [new FakeFile("a.txt", "added", "@@ -0,0 +1 @@\n+hello")]);

        var own = Edit(PullRequestPayload.From("pull_request.opened.json", "octo", "app", 1, Sha('1'), 1001),
            root => root["sender"]!["login"] = "Nectr-Machine");
        using var ownResponse = await client.SendAsync(SignedDelivery.Create("pull_request", own, NectrApp.WebhookSecret), Ct);
        using var other = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo", "app", 2, Sha('2'), 1001), NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.OK, ownResponse.StatusCode);
        Assert.Contains("sent by Nectr itself", await ownResponse.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        var stored = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.PullNumber == 1, Ct));
        Assert.Equal(DeliveryOutcome.Skipped, stored.Outcome);
        Assert.StartsWith("sent by Nectr itself (nectr-machine", stored.OutcomeReason, StringComparison.Ordinal);
        Assert.Null(stored.JobId);

        Assert.Equal(HttpStatusCode.Accepted, other.StatusCode);
        await github.WaitForReviewAsync("octo", "app", 2, TimeSpan.FromSeconds(30));
        Assert.Empty(github.ReviewsOn("octo", "app", 1));
        // Asked once for the two deliveries, not once per delivery.
        Assert.Single(github.Requests, r => r.Path == "/user");
        github.AssertNoUnexpectedCalls();
    }
}
