using System.Net;
using System.Text.RegularExpressions;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>
/// "Parked" means one thing on the API and the dashboard: the delivery's own outcome. A redelivery for a head whose job
/// is already parked is settled as skipped; it used to show as parked on the dashboard while the API said skipped.
/// </summary>
public sealed partial class ParkedMeaningTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_dashboard_and_the_api_list_the_same_parked_deliveries_and_offer_the_same_retries(string provider)
    {
        const string Sha = "d4" + "00000000000000000000000000000000000000";
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (client, user) = await app.SignedInClientAsync("alice", 1001);
        using var _ = client;
        await HistorySeed.GrantAsync(app, user.Id, "acme/alpha");
        var (parkedId, jobId) = await HistorySeed.ParkedAsync(app, "acme/alpha", 4, Sha, "gave up after 5 attempts: GitHub answered 502");
        using var redelivery = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.synchronize.json", "acme", "alpha", 4, Sha, 77), NectrApp.WebhookSecret, deliveryId: "redelivered-0001"), Ct);
        Assert.True(redelivery.IsSuccessStatusCode, $"the redelivery was answered {(int)redelivery.StatusCode}");

        var apiParked = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events?outcome=parked");
        var apiAll = await ReviewHistoryApiTests.GetAsync(client, "/api/v1/events");
        var pageParked = await client.GetStringAsync("/activity?show=parked", Ct);
        var pageAll = await client.GetStringAsync("/activity", Ct);

        var apiParkedIds = apiParked.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("delivery_id").GetString()!).ToList();
        Assert.Equal(apiParkedIds, Deliveries(pageParked));
        Assert.DoesNotContain("redelivered-0001", apiParkedIds);
        var again = Assert.Single(apiAll.GetProperty("items").EnumerateArray(), i => i.GetProperty("delivery_id").GetString() == "redelivered-0001");
        Assert.Equal("skipped", again.GetProperty("outcome").GetString());
        Assert.Equal(jobId, again.GetProperty("job").GetProperty("id").GetInt64());
        // Its job is parked, so both offer to retry it, and the delivery that parked with the job.
        Assert.True(again.GetProperty("retryable").GetBoolean());
        var againId = again.GetProperty("id").GetInt64();
        Assert.Contains($"action=\"/activity/{againId}/retry\"", pageAll, StringComparison.Ordinal);
        Assert.Contains($"action=\"/activity/{parkedId}/retry\"", pageAll, StringComparison.Ordinal);
        Assert.Matches(new Regex("data-delivery=\"redelivered-0001\">(?:(?!</tr>).)*skipped", RegexOptions.Singleline), pageAll);
    }

    private static List<string> Deliveries(string html) => DeliveryRow().Matches(html).Select(m => WebUtility.HtmlDecode(m.Groups[1].Value)).ToList();

    [GeneratedRegex("<tr data-delivery=\"([^\"]+)\"")]
    private static partial Regex DeliveryRow();
}
