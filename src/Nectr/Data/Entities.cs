namespace Nectr.Data;

/// <summary>
/// A GitHub repository Nectr knows: connected (its own webhook and secret) or only seen in deliveries. One row per
/// repository however many users connect it; disconnecting keeps the row and the history.
/// </summary>
internal sealed class RepositoryRecord
{
    public long Id { get; set; }
    public long? GitHubId { get; set; }
    public required string FullName { get; set; }
    /// <summary>The webhook secret protected with ASP.NET Data Protection; null means "use GITHUB_WEBHOOK_SECRET".</summary>
    public string? WebhookSecretProtected { get; set; }
    public DateTime CreatedAt { get; set; }
    public bool Private { get; set; }
    /// <summary>True while Nectr's own webhook is installed on the repository.</summary>
    public bool Connected { get; set; }
    /// <summary>The id of Nectr's webhook on GitHub, to update or delete exactly that hook.</summary>
    public long? HookId { get; set; }
    public long? ConnectedByUserId { get; set; }
    public DateTime? ConnectedAt { get; set; }
    public DateTime? DisconnectedAt { get; set; }
    /// <summary>Deliveries for this repository whose signature did not verify: a secret mismatch to show with its fix.</summary>
    public int SignatureFailures { get; set; }
    public DateTime? LastSignatureFailureAt { get; set; }
    /// <summary>The GitHub App installation that covers this repository; null when it is connected through a webhook.</summary>
    public long? InstallationId { get; set; }
    /// <summary>Review settings set on the dashboard, in <c>.nectr.yml</c>'s shape as JSON; the file on the default branch wins.</summary>
    public string? SettingsOverridesJson { get; set; }
}

/// <summary>A person who signed in with GitHub. Their token is stored encrypted, never in the cookie.</summary>
internal sealed class UserRecord
{
    public long Id { get; set; }
    public long GitHubId { get; set; }
    public required string Login { get; set; }
    public string? Name { get; set; }
    public string? AvatarUrl { get; set; }
    /// <summary>The user's GitHub OAuth token, protected with ASP.NET Data Protection.</summary>
    public string? AccessTokenProtected { get; set; }
    public string? Scopes { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime LastLoginAt { get; set; }
}

/// <summary>
/// Which repositories a user can see on GitHub, as GitHub last said (refreshed at sign-in and when the user lists
/// repositories). Every read of reviews and events is scoped through it.
/// </summary>
internal sealed class UserRepositoryAccess
{
    public long Id { get; set; }
    public long UserId { get; set; }
    public required string RepositoryFullName { get; set; }
    public long GitHubRepoId { get; set; }
    public bool Private { get; set; }
    /// <summary>The user may administer the repository (create and delete its webhooks).</summary>
    public bool Admin { get; set; }
    public DateTime RefreshedAt { get; set; }
}

internal enum DeliveryOutcome { Pending = 0, Reviewed = 1, Skipped = 2, Parked = 3 }

/// <summary>One webhook delivery exactly as GitHub sent it, and the one outcome it reached.</summary>
internal sealed class DeliveryRecord
{
    public long Id { get; set; }
    public required string DeliveryId { get; set; }
    public required string Event { get; set; }
    public string? Action { get; set; }
    public string? RepositoryFullName { get; set; }
    public int? PullNumber { get; set; }
    public string? HeadSha { get; set; }
    /// <summary>The raw body of a delivery stored before issue #13; newer rows keep <see cref="PayloadBrotli"/> instead.</summary>
    public string? Payload { get; set; }
    /// <summary>The raw body exactly as signed, Brotli-compressed (<see cref="DeliveryPayload"/> reads either form back).</summary>
    public byte[]? PayloadBrotli { get; set; }
    public DateTime ReceivedAt { get; set; }
    public DeliveryOutcome Outcome { get; set; }
    public string? OutcomeReason { get; set; }
    public long? JobId { get; set; }
    public ReviewJob? Job { get; set; }
    public DateTime? CompletedAt { get; set; }
}

internal enum JobStatus { Queued = 0, Running = 1, Done = 2, Skipped = 3, Parked = 4 }

/// <summary>What a job does: review a head, or carry out a PR comment command (<c>@nectr …</c>).</summary>
internal enum JobKind { Review = 0, Command = 1 }

/// <summary>
/// A review of one head commit of one pull request, or a command on one pull request. Unique by (repository, PR,
/// head SHA, rerun): a push's review has rerun 0; a review asked for again on the same head (a command, a check
/// run's re-run button) gets the next number. A command job's <see cref="HeadSha"/> is <c>command:&lt;delivery id&gt;</c>.
/// </summary>
internal sealed class ReviewJob
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public int PullNumber { get; set; }
    public required string HeadSha { get; set; }
    public JobKind Kind { get; set; }
    /// <summary>0 for the review a push asked for; 1, 2 … for reviews of the same head asked for again.</summary>
    public int Rerun { get; set; }
    /// <summary>Review everything, not only what changed since the last reviewed head (<c>@nectr full review</c>).</summary>
    public bool Full { get; set; }
    /// <summary>Who asked for this job when a person did (a command's author, a check run re-run's sender).</summary>
    public string? RequestedBy { get; set; }
    /// <summary>A command job's parsed command, as JSON.</summary>
    public string? CommandJson { get; set; }
    /// <summary>The <c>Nectr</c> check run this review reports to (GitHub App only).</summary>
    public long? CheckRunId { get; set; }
    public JobStatus Status { get; set; }
    public int Attempts { get; set; }
    /// <summary>Unix milliseconds; queue times are integers so one claim query works on SQLite and PostgreSQL alike.</summary>
    public long RunAfterMs { get; set; }
    public long? LeaseExpiresMs { get; set; }
    public string? LeaseOwner { get; set; }
    /// <summary>Set before the review POST: a later attempt must look for the posted review instead of posting again.</summary>
    public bool PostAttempted { get; set; }
    public string? LastError { get; set; }
    public string? OutcomeReason { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    public DateTime? CompletedAt { get; set; }
}

/// <summary>A review Nectr posted on GitHub.</summary>
internal sealed class ReviewRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public required string RepositoryFullName { get; set; }
    public int PullNumber { get; set; }
    public required string HeadSha { get; set; }
    public long? GitHubReviewId { get; set; }
    public string? HtmlUrl { get; set; }
    public required string Event { get; set; }
    public required string Body { get; set; }
    public int ChangedFiles { get; set; }
    public int ReviewedFiles { get; set; }
    /// <summary>What the review did not cover and why (stored as one JSON array of {path, reason}).</summary>
    public List<FileNoteRecord> SkippedFiles { get; set; } = [];
    /// <summary>Reviewed files the model did not see in full (token budget, sensitive, unreadable answer); JSON like <see cref="SkippedFiles"/>.</summary>
    public List<FileNoteRecord> NotSentToModel { get; set; } = [];
    public int InlineComments { get; set; }
    public long DurationMs { get; set; }
    /// <summary>approve, request_changes or needs_discussion: computed by policy from the findings, never by a model.</summary>
    public string Verdict { get; set; } = "approve";
    public string? VerdictReason { get; set; }
    /// <summary>The model that reviewed, or null when only the built-in checks ran.</summary>
    public string? Model { get; set; }
    public int LlmCalls { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    /// <summary>USD; null when the model's price is unknown.</summary>
    public decimal? CostUsd { get; set; }
    public DateTime CreatedAt { get; set; }
    public List<FindingRecord> Findings { get; set; } = [];
}

/// <summary>
/// One model question of a review job that got its answer, and what it cost. When a later question of the same job
/// fails and the job is retried, the answered ones are reused instead of asked (and paid for) again.
/// <see cref="PromptKey"/> hashes the prompt as sent (its per-review nonce left out), the prompt version and the model,
/// so a changed file, prompt or model is asked anew.
/// </summary>
internal sealed class ModelAnswerRecord
{
    public long Id { get; set; }
    public long JobId { get; set; }
    public required string PromptKey { get; set; }
    /// <summary>The parsed answer in the contract's JSON shape; null when it could not be read even after the repair turn.</summary>
    public string? AnswerJson { get; set; }
    public required string Model { get; set; }
    public int Calls { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    /// <summary>USD; null when the model's price is unknown.</summary>
    public decimal? CostUsd { get; set; }
    public DateTime CreatedAt { get; set; }
}

/// <summary>A file a review names with a reason: skipped, or not sent to the model in full. A complex type, stored in JSON.</summary>
internal sealed class FileNoteRecord
{
    public required string Path { get; set; }
    public required string Reason { get; set; }
}

internal sealed class FindingRecord
{
    public long Id { get; set; }
    public long ReviewId { get; set; }
    public required string RuleId { get; set; }
    public required string File { get; set; }
    public int Line { get; set; }
    public int? EndLine { get; set; }
    public required string Severity { get; set; }
    public required string Category { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public string? Suggestion { get; set; }
    /// <summary>Stable across line moves (file, rule, title, code line): matches a finding to itself in a later review.</summary>
    public string? Fingerprint { get; set; }
    public bool Inline { get; set; }
}
