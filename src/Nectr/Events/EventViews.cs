namespace Nectr.Events;

/// <summary>What to list; null means "any". Values are validated by the caller.</summary>
internal sealed record EventFilter
{
    public static readonly IReadOnlyList<string> Outcomes = ["pending", "reviewed", "skipped", "parked"];

    /// <summary>owner/name, exactly.</summary>
    public string? Repo { get; init; }
    public Data.DeliveryOutcome? Outcome { get; init; }
    /// <summary>The X-GitHub-Event name, e.g. pull_request.</summary>
    public string? Event { get; init; }
    public Data.PageRequest Page { get; init; } = Data.PageRequest.From(null, null);
}

/// <summary>One stored webhook delivery, the outcome it reached, and the review job it asked for.</summary>
internal sealed record EventView(
    long Id,
    string DeliveryId,
    string Event,
    string? Action,
    string? Repository,
    int? PullNumber,
    string? HeadSha,
    DateTime ReceivedAt,
    string Outcome,
    string? OutcomeReason,
    DateTime? CompletedAt,
    EventJobView? Job,
    bool Retryable);

internal sealed record EventJobView(
    long Id,
    string Status,
    int Attempts,
    string? LastError,
    string? OutcomeReason,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    DateTime? CompletedAt,
    long? ReviewId);

/// <summary>What a retry did. The API answers NotFound with 404 and NotParked with 409.</summary>
internal enum RetryResult { Requeued, NotFound, NotParked }
