using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>
/// One issue of a repository as the issue index knows it: from every <c>issues</c> delivery and from the open-issue
/// backfill. Unique by (repository, number); pull requests are never stored here. Written only by
/// <c>Issues/IssueStore</c>. Title and body are untrusted text, stored cleaned and bounded.
/// </summary>
internal sealed class IssueRecord
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public int Number { get; set; }
    public required string Title { get; set; }
    /// <summary>The first <see cref="IssueModel.MaxBodyLength"/> characters of the body; empty when it has none.</summary>
    public required string Body { get; set; }
    /// <summary><c>open</c> or <c>closed</c>.</summary>
    public required string State { get; set; }
    /// <summary>Label names, one per line (a name's own line breaks become spaces).</summary>
    public required string Labels { get; set; }
    public required string AuthorLogin { get; set; }
    /// <summary>GitHub's <c>updated_at</c> in Unix milliseconds: an older write never overwrites a newer one.</summary>
    public long UpdatedAtMs { get; set; }
}

/// <summary>The issue index's table and its indexes; every query in <c>Issues/IssueIndex</c> uses one.</summary>
internal static class IssueModel
{
    public const int MaxTitleLength = 500;
    public const int MaxBodyLength = 4_000;
    public const int MaxLabelsLength = 1_000;
    public const int MaxLoginLength = 100;

    public static void Configure(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<IssueRecord>(e =>
        {
            e.ToTable("issues");
            e.HasIndex(i => new { i.RepositoryFullName, i.Number }).IsUnique();
            // Candidates: the most recently updated open issues of a repository, one index range read in order.
            e.HasIndex(i => new { i.RepositoryFullName, i.State, i.UpdatedAtMs });
            // Search: the most recently updated issues of a repository, open or closed.
            e.HasIndex(i => new { i.RepositoryFullName, i.UpdatedAtMs });
            e.Property(i => i.RepositoryFullName).HasMaxLength(200);
            e.Property(i => i.Title).HasMaxLength(MaxTitleLength);
            e.Property(i => i.Body).HasMaxLength(MaxBodyLength);
            e.Property(i => i.State).HasMaxLength(10);
            e.Property(i => i.Labels).HasMaxLength(MaxLabelsLength);
            e.Property(i => i.AuthorLogin).HasMaxLength(MaxLoginLength);
        });
    }
}
