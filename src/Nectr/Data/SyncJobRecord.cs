using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>Where a repository's background sync stands; stored as an integer.</summary>
internal enum SyncJobStatus
{
    Queued = 0,
    Running = 1,
    Done = 2,
    /// <summary>Parked after too many failures (or one that retrying cannot fix), with the reason in <see cref="SyncJobRecord.LastError"/>.</summary>
    Failed = 3,
}

/// <summary>
/// One kind of resumable background work (<c>Sync/IRepositorySyncTask</c>) for one repository: unique by
/// (repository, kind), so requeueing resets the row instead of adding one. Written only by <c>Sync/SyncQueue</c>.
/// Times are Unix milliseconds so the claim query runs unchanged on both providers (as <c>review_jobs</c>).
/// </summary>
internal sealed class SyncJobRecord
{
    public long Id { get; set; }
    public required string RepositoryFullName { get; set; }
    public required string Kind { get; set; }
    /// <summary>Where the next step starts; null: from the beginning.</summary>
    public string? Cursor { get; set; }
    public SyncJobStatus Status { get; set; }
    /// <summary>Runs since the job last made progress: a claim adds one, a stored cursor resets it.</summary>
    public int Attempts { get; set; }
    public long NextAttemptAtMs { get; set; }
    public string? LastError { get; set; }
    public string? LeaseOwner { get; set; }
    public long? LeaseExpiresMs { get; set; }
    public DateTime UpdatedAt { get; set; }
}

internal static class SyncJobModel
{
    public const int MaxKindLength = 50;
    public const int MaxCursorLength = 200;
    public const int MaxErrorLength = 1000;

    public static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<SyncJobRecord>(e =>
    {
        e.ToTable("sync_jobs");
        e.HasIndex(j => new { j.RepositoryFullName, j.Kind }).IsUnique();
        // The claim: due queued jobs, and running ones whose lease ran out.
        e.HasIndex(j => new { j.Status, j.NextAttemptAtMs });
        e.Property(j => j.RepositoryFullName).HasMaxLength(200);
        e.Property(j => j.Kind).HasMaxLength(MaxKindLength);
        e.Property(j => j.Cursor).HasMaxLength(MaxCursorLength);
        e.Property(j => j.LastError).HasMaxLength(MaxErrorLength);
        e.Property(j => j.LeaseOwner).HasMaxLength(100);
    });
}
