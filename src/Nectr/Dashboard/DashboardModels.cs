namespace Nectr.Dashboard;

/// <summary>One row of the reviews table: what a reader scans for, not the body.</summary>
/// <remarks>Public because Razor components are public classes and it is a component parameter.</remarks>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "A parameter of a (public) Razor component.")]
public sealed record ReviewRow(long Id, string Repository, int PullNumber, string HeadSha, string Verdict, string? Model,
    int Findings, decimal? CostUsd, DateTime CreatedAt);

/// <summary>The home page: reviews per day (oldest first), the verdict mix over the same days, the latest reviews.</summary>
internal sealed record HomeSummary(IReadOnlyList<(DateOnly Day, int Count)> PerDay, IReadOnlyList<(string Verdict, int Count)> Verdicts,
    IReadOnlyList<ReviewRow> Recent, int Repositories, int ConnectedRepositories);

internal sealed record RepositoryRow(string FullName, bool Private, bool Admin, bool Connected, DateTime? ConnectedAt,
    int SignatureFailures, DateTime? LastSignatureFailureAt, long? InstallationId = null, bool HasHook = false)
{
    /// <summary>Connected through an installation of Nectr's GitHub App rather than a webhook of its own.</summary>
    public bool ViaApp => Connected && InstallationId is not null && !HasHook;
}

/// <summary>A file the review did not cover, or did not send to the model in full, and why.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Maintainability", "CA1515", Justification = "A parameter of a (public) Razor component.")]
public sealed record CoverageNote(string Path, string Reason);

internal sealed record ReviewDetailModel(ReviewRow Row, string BodyHtml, string? VerdictReason, string Event, string? HtmlUrl,
    int ChangedFiles, int ReviewedFiles, int InlineComments, long DurationMs, int LlmCalls, long InputTokens, long OutputTokens,
    IReadOnlyList<CoverageNote> Skipped, IReadOnlyList<CoverageNote> NotSentToModel, IReadOnlyList<FindingRow> Findings);

internal sealed record FindingRow(string Severity, string Category, string File, int Line, int? EndLine, string Title, bool Inline);

/// <summary>
/// A delivery and the job it started, newest first; parked ones carry the reason a person acts on. Retryable: its job is
/// parked (also for a later delivery of the same head, settled as skipped), so the Retry button re-queues it.
/// </summary>
internal sealed record ActivityRow(long DeliveryId, string GitHubDeliveryId, string Event, string? Action, string? Repository,
    int? PullNumber, DateTime ReceivedAt, string Outcome, string? Reason, long? JobId, string? JobStatus, int Attempts, string? LastError, bool Retryable);
