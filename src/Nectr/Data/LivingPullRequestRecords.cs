using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>
/// What Nectr remembers about one pull request between its reviews: the head it last reviewed (where the next
/// incremental review starts), its one sticky summary comment, whether reviews are paused, and the blocking review
/// it posted (dismissed once its blocking findings are gone). Unique by (repository, number).
/// </summary>
internal sealed class PullRequestStateRecord
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public int Number { get; set; }
    public string? LastReviewedSha { get; set; }
    public DateTime? LastReviewedAt { get; set; }
    /// <summary>The issue comment that is the PR's sticky summary; found again by its hidden marker when unknown.</summary>
    public long? SummaryCommentId { get; set; }
    public bool Paused { get; set; }
    public string? PausedBy { get; set; }
    public DateTime? PausedAt { get; set; }
    /// <summary>A REQUEST_CHANGES review Nectr posted (opt-in blocking) that is not dismissed yet.</summary>
    public long? BlockingReviewId { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal enum TrackedFindingState { Open = 0, Resolved = 1 }

/// <summary>
/// One finding of one pull request across all its reviews, by fingerprint: posted once, then still open or resolved.
/// It is what makes an incremental review never post the same comment twice. Unique by (repository, number, fingerprint).
/// </summary>
internal sealed class PullRequestFindingRecord
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public int Number { get; set; }
    public required string Fingerprint { get; set; }
    public required string RuleId { get; set; }
    public required string File { get; set; }
    public int Line { get; set; }
    public int? EndLine { get; set; }
    public required string Severity { get; set; }
    public required string Category { get; set; }
    public required string Title { get; set; }
    public required string Body { get; set; }
    public string? Suggestion { get; set; }
    public TrackedFindingState State { get; set; }
    /// <summary>Posted as an inline comment (as opposed to listed in the summary only).</summary>
    public bool Inline { get; set; }
    public required string FirstSeenSha { get; set; }
    public required string LastSeenSha { get; set; }
    public string? ResolvedSha { get; set; }
    /// <summary>The inline review comment GitHub created for it, and its thread's GraphQL node id once known.</summary>
    public long? ReviewCommentId { get; set; }
    public string? ThreadNodeId { get; set; }
    public bool ThreadResolved { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
}

/// <summary>An installation of Nectr's GitHub App on a user or organisation account.</summary>
internal sealed class GitHubAppInstallationRecord
{
    public long Id { get; set; }
    public long InstallationId { get; set; }
    public required string AccountLogin { get; set; }
    public string? AccountType { get; set; }
    /// <summary><c>all</c> or <c>selected</c>, as GitHub says.</summary>
    public string? RepositorySelection { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime? SuspendedAt { get; set; }
    public DateTime? DeletedAt { get; set; }
}

/// <summary>
/// A GitHub App created from the dashboard through GitHub's manifest flow; its secrets protected with ASP.NET Data
/// Protection. <c>GITHUB_APP_ID</c> and its key in the environment take precedence over this row.
/// </summary>
internal sealed class GitHubAppRecord
{
    public long Id { get; set; }
    public long AppId { get; set; }
    public required string Slug { get; set; }
    public string? Name { get; set; }
    public string? HtmlUrl { get; set; }
    public string? ClientId { get; set; }
    public string? ClientSecretProtected { get; set; }
    public required string PrivateKeyProtected { get; set; }
    public string? WebhookSecretProtected { get; set; }
    public long? CreatedByUserId { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal static class LivingPullRequestModel
{
    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PullRequestStateRecord>(e =>
        {
            e.ToTable("pull_request_states");
            e.HasIndex(s => new { s.RepositoryFullName, s.Number }).IsUnique();
            e.Property(s => s.RepositoryFullName).HasMaxLength(200);
            e.Property(s => s.LastReviewedSha).HasMaxLength(64);
            e.Property(s => s.PausedBy).HasMaxLength(100);
        });

        modelBuilder.Entity<PullRequestFindingRecord>(e =>
        {
            e.ToTable("pull_request_findings");
            e.HasIndex(f => new { f.RepositoryFullName, f.Number, f.Fingerprint }).IsUnique();
            e.Property(f => f.RepositoryFullName).HasMaxLength(200);
            e.Property(f => f.Fingerprint).HasMaxLength(64);
            e.Property(f => f.RuleId).HasMaxLength(200);
            e.Property(f => f.Severity).HasMaxLength(20);
            e.Property(f => f.Category).HasMaxLength(100);
            e.Property(f => f.FirstSeenSha).HasMaxLength(64);
            e.Property(f => f.LastSeenSha).HasMaxLength(64);
            e.Property(f => f.ResolvedSha).HasMaxLength(64);
            e.Property(f => f.ThreadNodeId).HasMaxLength(200);
        });

        modelBuilder.Entity<GitHubAppInstallationRecord>(e =>
        {
            e.ToTable("github_app_installations");
            e.HasIndex(i => i.InstallationId).IsUnique();
            e.Property(i => i.AccountLogin).HasMaxLength(100);
            e.Property(i => i.AccountType).HasMaxLength(50);
            e.Property(i => i.RepositorySelection).HasMaxLength(20);
        });

        modelBuilder.Entity<GitHubAppRecord>(e =>
        {
            e.ToTable("github_apps");
            e.HasIndex(a => a.AppId).IsUnique();
            e.Property(a => a.Slug).HasMaxLength(100);
            e.Property(a => a.Name).HasMaxLength(200);
            e.Property(a => a.ClientId).HasMaxLength(100);
        });
    }
}
