using System.Text.Json;
using System.Text.Json.Serialization;

namespace Nectr.Webhooks;

// The handful of payload fields intake needs. A source-generated reader of these few fields is much cheaper per
// delivery than materialising GitHub's full event model, and everything else stays in the stored raw payload.
internal sealed record WebhookPayload(
    string? Action,
    int? Number,
    WebhookPullRequest? PullRequest,
    WebhookRepository? Repository,
    WebhookUser? Sender,
    // Kept as raw JSON: the issue index reads it field by field, so a field of the wrong type costs that field, not
    // the delivery (a typed record would fail the whole parse).
    JsonElement? Issue = null);

internal sealed record WebhookPullRequest(
    int Number,
    string? State,
    bool Draft,
    WebhookRef? Head,
    bool? Merged = null,
    string? Title = null,
    WebhookUser? User = null,
    DateTimeOffset? MergedAt = null,
    DateTimeOffset? UpdatedAt = null);

internal sealed record WebhookRef(string? Sha);

internal sealed record WebhookRepository(long Id, string? FullName);

internal sealed record WebhookUser(string? Login, string? Type);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
