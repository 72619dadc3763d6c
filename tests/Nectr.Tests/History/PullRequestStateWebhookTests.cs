using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>A stored pull_request close writes the live-state cache at once; nobody asks GitHub.</summary>
public sealed class PullRequestStateWebhookTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(true, "Merged")]
    [InlineData(false, "Closed")]
    public async Task A_closed_delivery_sets_the_state_from_its_merged_flag_without_a_GitHub_call(bool merged, string expected)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        using var client = app.CreateClient();
        var body = JsonNode.Parse(PullRequestPayload.From("pull_request.closed.json", "acme", "alpha", 9, "c9" + new string('0', 38), 4242))!;
        body["pull_request"]!["merged"] = merged;

        using var delivery = SignedDelivery.Create("pull_request", JsonSerializer.SerializeToUtf8Bytes(body), NectrApp.WebhookSecret);
        using var response = await client.SendAsync(delivery, Ct);
        var state = await app.Services.GetRequiredService<PullRequestStateCache>().GetAsync("acme/alpha", 9, Ct);

        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Accepted, $"webhook answered {(int)response.StatusCode}");
        Assert.Equal(Enum.Parse<PullRequestLiveState>(expected), state);
        Assert.Empty(github.Requests);
    }
}
