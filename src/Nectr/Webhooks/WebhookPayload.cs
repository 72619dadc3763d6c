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
    JsonElement? Issue = null,
    // issue_comment, pull_request_review_comment: where PR commands (`@nectr …`) arrive.
    WebhookComment? Comment = null,
    // check_run: the re-run button of Nectr's check run.
    WebhookCheckRun? CheckRun = null,
    // installation, installation_repositories and every delivery of a GitHub App.
    WebhookInstallation? Installation = null,
    IReadOnlyList<WebhookRepositoryEntry>? Repositories = null,
    IReadOnlyList<WebhookRepositoryEntry>? RepositoriesAdded = null,
    IReadOnlyList<WebhookRepositoryEntry>? RepositoriesRemoved = null);

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

internal sealed record WebhookComment(long Id, string? Body, WebhookUser? User, long? InReplyToId = null);

internal sealed record WebhookCheckRun(long Id, string? HeadSha, string? Name, string? ExternalId, WebhookApp? App, IReadOnlyList<WebhookCheckRunPullRequest>? PullRequests);

internal sealed record WebhookCheckRunPullRequest(int Number, WebhookRef? Head = null);

internal sealed record WebhookApp(long Id, string? Slug);

internal sealed record WebhookInstallation(long Id, WebhookUser? Account, string? RepositorySelection = null);

internal sealed record WebhookRepositoryEntry(long Id, string? FullName, bool Private);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(WebhookPayload))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;
