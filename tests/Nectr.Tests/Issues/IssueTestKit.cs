using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Issues;

/// <summary>Signed <c>issues</c> deliveries built from GitHub's own examples, and the issue index's rows.</summary>
internal static class IssueTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Dictionary<string, string?> NoWorker => new() { ["REVIEW_CONCURRENCY"] = "0" };

    /// <summary>A real example payload moved to <paramref name="fullName"/>, with <paramref name="edit"/> applied to its issue.</summary>
    public static byte[] Payload(string fixture, string fullName, Action<JsonObject>? edit = null, string? action = null)
    {
        var root = JsonNode.Parse(WebhookFixtures.Load(fixture))!.AsObject();
        var repository = root["repository"]!.AsObject();
        repository["full_name"] = fullName;
        repository["name"] = fullName.Split('/')[1];
        if (action is not null)
        {
            root["action"] = action;
        }

        edit?.Invoke(root["issue"]!.AsObject());
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }

    /// <summary>An issue edit setting number, title, body, state and updated_at, as a test usually wants.</summary>
    public static Action<JsonObject> Issue(int number, string title, string? body = null, string state = "open", string updatedAt = "2026-11-01T10:00:00Z") => issue =>
    {
        issue["number"] = number;
        issue["title"] = title;
        issue["body"] = body;
        issue["state"] = state;
        issue["updated_at"] = updatedAt;
    };

    public static async Task<HttpStatusCode> DeliverAsync(HttpClient client, byte[] body, string? deliveryId = null)
    {
        using var response = await client.SendAsync(SignedDelivery.Create("issues", body, NectrApp.WebhookSecret, deliveryId), Ct);
        return response.StatusCode;
    }

    public static Task<IssueRecord?> RowAsync(NectrApp app, string fullName, int number) =>
        app.QueryAsync(db => db.Issues.AsNoTracking().SingleOrDefaultAsync(i => i.RepositoryFullName == fullName && i.Number == number, Ct));
}
