using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Nectr.Data;

/// <summary>
/// One piece of project memory of a connected repository: a rule, pattern, decision, developer note or project map entry
/// (<see cref="Nectr.Engine.Memory.MemoryTypes"/>). Keyed to the repository like the other tables (its full name, which
/// scoping joins on), with the GitHub id kept so a renamed repository can be matched again. Written only by
/// <c>Memory/MemoryStore</c>.
/// </summary>
internal sealed class MemoryRecord
{
    public const int MaxContentLength = 2000;
    public const int MaxTypeLength = 32;

    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public long RepositoryGitHubId { get; set; }
    /// <summary>One of <see cref="Nectr.Engine.Memory.MemoryTypes.All"/>.</summary>
    public required string Type { get; set; }
    public required string Content { get; set; }
    /// <summary>The GitHub login the memory is about (developer patterns, strengths, profiles); null for project-wide memories.</summary>
    public string? Developer { get; set; }
    /// <summary>The pull request the memory was learned from; null when a person wrote it.</summary>
    public int? SourcePullNumber { get; set; }
    public DateTime CreatedAt { get; set; }
    public DateTime UpdatedAt { get; set; }
    /// <summary>The Nectr user who wrote it; null when Nectr extracted it from a review.</summary>
    public long? CreatedByUserId { get; set; }
    /// <summary>Who made it: <see cref="MemorySources.User"/>, <see cref="MemorySources.Extraction"/> or <see cref="MemorySources.ProjectScan"/>.</summary>
    public string Source { get; set; } = MemorySources.User;
}

/// <summary>Where a memory came from; a rescan replaces only what the project scan wrote.</summary>
internal static class MemorySources
{
    public const string User = "user";
    public const string Extraction = "extraction";
    public const string ProjectScan = "project-scan";
}

internal sealed class MemoryRecordConfiguration : IEntityTypeConfiguration<MemoryRecord>
{
    public void Configure(EntityTypeBuilder<MemoryRecord> e)
    {
        e.ToTable("memories");
        // Lists (by repository, optionally by type), stats (count per type) and the near-duplicate lookup (repository,
        // type, developer) all read through this one index.
        e.HasIndex(m => new { m.RepositoryFullName, m.Type, m.Developer });
        // Lists and retrieval read a repository's memories most recently updated first.
        e.HasIndex(m => new { m.RepositoryFullName, m.UpdatedAt });
        e.Property(m => m.Source).HasMaxLength(16).HasDefaultValue(MemorySources.User);
        e.Property(m => m.RepositoryFullName).HasMaxLength(200);
        e.Property(m => m.Type).HasMaxLength(MemoryRecord.MaxTypeLength);
        e.Property(m => m.Content).HasMaxLength(MemoryRecord.MaxContentLength);
        e.Property(m => m.Developer).HasMaxLength(Nectr.GitHub.GitHubNames.MaxOwnerLength);
        e.HasOne<UserRecord>().WithMany().HasForeignKey(m => m.CreatedByUserId).OnDelete(DeleteBehavior.SetNull);
    }
}
