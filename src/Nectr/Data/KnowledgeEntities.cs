using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>
/// One pull request of a repository as the knowledge index knows it: from every <c>pull_request</c> delivery and from
/// Nectr's own reviews. Unique by (repository, number). Written only by <c>Knowledge/KnowledgeIndex</c>.
/// </summary>
internal sealed class PullRequestRecord
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    public required string AuthorLogin { get; set; }
    /// <summary>GitHub said the author is a Bot, or the login ends in <c>[bot]</c>.</summary>
    public bool AuthorIsBot { get; set; }
    /// <summary><c>open</c>, <c>closed</c> or <c>merged</c> (see <c>Knowledge/PullRequestStates</c>).</summary>
    public required string State { get; set; }
    public DateTime? MergedAt { get; set; }
    public required string HeadSha { get; set; }
    /// <summary>The verdict of Nectr's last review of the pull request, as <see cref="StoredVerdict"/> spells it; null when never reviewed.</summary>
    public string? LastVerdict { get; set; }
    /// <summary>
    /// GitHub's <c>updated_at</c> of what was last written, in Unix milliseconds: an older delivery arriving late never
    /// overwrites a newer one. An integer, so the conditional upsert compares the same way on both providers.
    /// </summary>
    public long UpdatedAtMs { get; set; }
}

/// <summary>A file a pull request touched, as GitHub listed it when Nectr last reviewed the pull request.</summary>
internal sealed class PullRequestFileRecord
{
    public long PullRequestId { get; set; }
    /// <summary>The pull request's repository again, so "which pull requests touched this path" is one index range.</summary>
    public required string RepositoryFullName { get; set; }
    public required string Path { get; set; }
}

/// <summary>The knowledge index's tables and their indexes; every query in <c>Knowledge/KnowledgeQueries</c> and <c>Knowledge/KnowledgeAnalytics</c> uses one.</summary>
internal static class KnowledgeModel
{
    public const int MaxPathLength = 1000;
    public const int MaxTitleLength = 500;
    public const int MaxLoginLength = 100;

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<PullRequestRecord>(e =>
        {
            e.ToTable("pull_requests");
            e.HasIndex(p => new { p.RepositoryFullName, p.Number }).IsUnique();
            // High-risk files start from the repository's pull requests that got a given verdict (Knowledge/KnowledgeAnalytics).
            e.HasIndex(p => new { p.RepositoryFullName, p.LastVerdict });
            e.Property(p => p.RepositoryFullName).HasMaxLength(200);
            e.Property(p => p.Title).HasMaxLength(MaxTitleLength);
            e.Property(p => p.AuthorLogin).HasMaxLength(MaxLoginLength);
            e.Property(p => p.State).HasMaxLength(10);
            e.Property(p => p.HeadSha).HasMaxLength(64);
            e.Property(p => p.LastVerdict).HasMaxLength(20);
        });

        modelBuilder.Entity<PullRequestFileRecord>(e =>
        {
            e.ToTable("pull_request_files");
            e.HasKey(f => new { f.PullRequestId, f.Path });
            // Experts, related PRs and conflicts all start from "rows of this repository with one of these paths".
            e.HasIndex(f => new { f.RepositoryFullName, f.Path, f.PullRequestId });
            e.HasOne<PullRequestRecord>().WithMany().HasForeignKey(f => f.PullRequestId).OnDelete(DeleteBehavior.Cascade);
            e.Property(f => f.RepositoryFullName).HasMaxLength(200);
            e.Property(f => f.Path).HasMaxLength(MaxPathLength);
        });
    }
}
