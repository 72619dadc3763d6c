using Microsoft.AspNetCore.DataProtection.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>
/// The one model. Each provider has its own subclass only so each keeps its own migrations set
/// (<see cref="SqliteNectrDb"/>, <see cref="PostgresNectrDb"/>); code depends on this base type.
/// </summary>
internal abstract class NectrDb(DbContextOptions options) : DbContext(options), IDataProtectionKeyContext
{
    /// <summary>The Data Protection key ring, shared by every process on this database (see Auth/).</summary>
    public DbSet<DataProtectionKey> DataProtectionKeys => Set<DataProtectionKey>();
    public DbSet<UserRecord> Users => Set<UserRecord>();
    public DbSet<UserRepositoryAccess> UserRepositories => Set<UserRepositoryAccess>();
    public DbSet<RepositoryRecord> Repositories => Set<RepositoryRecord>();
    public DbSet<DeliveryRecord> Deliveries => Set<DeliveryRecord>();
    public DbSet<ReviewJob> ReviewJobs => Set<ReviewJob>();
    public DbSet<ReviewRecord> Reviews => Set<ReviewRecord>();
    public DbSet<FindingRecord> Findings => Set<FindingRecord>();
    public DbSet<ModelAnswerRecord> ModelAnswers => Set<ModelAnswerRecord>();
    public DbSet<MemoryRecord> Memories => Set<MemoryRecord>();
    public DbSet<MemoryExtractionRecord> MemoryExtractions => Set<MemoryExtractionRecord>();
    public DbSet<PullRequestRecord> PullRequests => Set<PullRequestRecord>();
    public DbSet<PullRequestFileRecord> PullRequestFiles => Set<PullRequestFileRecord>();
    public DbSet<IssueRecord> Issues => Set<IssueRecord>();
    public DbSet<SyncJobRecord> SyncJobs => Set<SyncJobRecord>();
    public DbSet<ApiTokenRecord> ApiTokens => Set<ApiTokenRecord>();
    public DbSet<McpToolPinRecord> McpToolPins => Set<McpToolPinRecord>();
    public DbSet<PullRequestStateRecord> PullRequestStates => Set<PullRequestStateRecord>();
    public DbSet<PullRequestFindingRecord> PullRequestFindings => Set<PullRequestFindingRecord>();
    public DbSet<GitHubAppInstallationRecord> GitHubAppInstallations => Set<GitHubAppInstallationRecord>();
    public DbSet<GitHubAppRecord> GitHubApps => Set<GitHubAppRecord>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<RepositoryRecord>(e =>
        {
            e.ToTable("repositories");
            e.HasIndex(r => r.FullName).IsUnique();
            e.HasIndex(r => r.GitHubId).IsUnique();
            e.HasIndex(r => r.InstallationId);
            e.Property(r => r.FullName).HasMaxLength(200);
        });

        modelBuilder.Entity<DataProtectionKey>(e => e.ToTable("data_protection_keys"));

        modelBuilder.Entity<UserRecord>(e =>
        {
            e.ToTable("users");
            e.HasIndex(u => u.GitHubId).IsUnique();
            e.Property(u => u.Login).HasMaxLength(100);
        });

        modelBuilder.Entity<UserRepositoryAccess>(e =>
        {
            e.ToTable("user_repositories");
            e.HasIndex(a => new { a.UserId, a.RepositoryFullName }).IsUnique();
            e.HasIndex(a => a.RepositoryFullName);
            e.Property(a => a.RepositoryFullName).HasMaxLength(200);
            e.HasOne<UserRecord>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        });

        modelBuilder.Entity<DeliveryRecord>(e =>
        {
            e.ToTable("deliveries");
            e.HasIndex(d => d.DeliveryId).IsUnique();
            e.HasOne(d => d.Job).WithMany().HasForeignKey(d => d.JobId).OnDelete(DeleteBehavior.SetNull);
            e.HasIndex(d => d.ReceivedAt);
            e.Property(d => d.DeliveryId).HasMaxLength(100);
            e.Property(d => d.Event).HasMaxLength(100);
            e.Property(d => d.Action).HasMaxLength(100);
            e.Property(d => d.RepositoryFullName).HasMaxLength(200);
            e.Property(d => d.HeadSha).HasMaxLength(64);
        });

        modelBuilder.Entity<ReviewJob>(e =>
        {
            e.ToTable("review_jobs");
            e.HasIndex(j => new { j.RepositoryFullName, j.PullNumber, j.HeadSha, j.Rerun }).IsUnique();
            // At most one running review per PR, enforced by the database itself so no race between
            // processes can break it: a second claim for the same PR fails and is retried.
            e.HasIndex(j => new { j.RepositoryFullName, j.PullNumber })
                .IsUnique()
                .HasFilter("\"Status\" = 1")
                .HasDatabaseName("IX_review_jobs_one_running_per_pr");
            e.HasIndex(j => new { j.Status, j.RunAfterMs });
            // Intake reads a pull request's queued jobs on every push: without this it scans every job the PR ever had.
            // Partial, so it holds only queued jobs and can serve no other read: PostgreSQL, with statistics from when
            // the table was small, used the (PR, status) index it replaces to look up heads too, filtering every job
            // the pull request ever had on each push (12 ms a read after 78,000 pushes) instead of the unique index.
            e.HasIndex(j => new { j.RepositoryFullName, j.PullNumber }, "IX_review_jobs_queued_per_pr").HasFilter("\"Status\" = 0");
            e.Property(j => j.RepositoryFullName).HasMaxLength(200);
            e.Property(j => j.HeadSha).HasMaxLength(64);
            e.Property(j => j.LeaseOwner).HasMaxLength(100);
            e.Property(j => j.RequestedBy).HasMaxLength(100);
        });

        modelBuilder.Entity<ReviewRecord>(e =>
        {
            e.ToTable("reviews");
            e.HasIndex(r => r.JobId).IsUnique();
            e.HasIndex(r => new { r.RepositoryFullName, r.PullNumber });
            // Newest first (the reviews list, get_recent_reviews, analytics periods): read in order and stop at the
            // page, instead of sorting every visible review; per repository for a repository's list and periods.
            e.HasIndex(r => new { r.CreatedAt, r.Id });
            e.HasIndex(r => new { r.RepositoryFullName, r.CreatedAt });
            e.HasMany(r => r.Findings).WithOne().HasForeignKey(f => f.ReviewId).OnDelete(DeleteBehavior.Cascade);
            e.Property(r => r.Verdict).HasMaxLength(20);
            e.Property(r => r.Model).HasMaxLength(200);
            // A double on both providers, so SQLite can sum and sort costs in SQL (it has no decimal type).
            e.Property(r => r.CostUsd).HasConversion<double?>();
            // One JSON shape, [{"path": …, "reason": …}], in the columns older versions filled by hand (the migration
            // FileNotesAsJson rewrote their [[path, reason]] rows into it).
            e.ComplexCollection(r => r.SkippedFiles, n => FileNotes(n, "SkippedFilesJson"));
            e.ComplexCollection(r => r.NotSentToModel, n => FileNotes(n, "NotSentToModelJson"));
        });

        modelBuilder.Entity<ModelAnswerRecord>(e =>
        {
            e.ToTable("model_answers");
            e.HasIndex(a => new { a.JobId, a.PromptKey }).IsUnique();
            e.HasOne<ReviewJob>().WithMany().HasForeignKey(a => a.JobId).OnDelete(DeleteBehavior.Cascade);
            e.Property(a => a.PromptKey).HasMaxLength(64);
            e.Property(a => a.Model).HasMaxLength(200);
            e.Property(a => a.CostUsd).HasConversion<double?>();
        });

        modelBuilder.Entity<FindingRecord>(e =>
        {
            e.ToTable("findings");
            e.Property(f => f.Fingerprint).HasMaxLength(64);
            e.HasIndex(f => f.Fingerprint);
        });

        KnowledgeModel.Configure(modelBuilder);
        IssueModel.Configure(modelBuilder);
        SyncJobModel.Configure(modelBuilder);
        McpToolPinModel.Configure(modelBuilder);
        LivingPullRequestModel.Configure(modelBuilder);
        modelBuilder.ApplyConfiguration(new MemoryRecordConfiguration());
        modelBuilder.ApplyConfiguration(new MemoryExtractionRecordConfiguration());
        modelBuilder.ApplyConfiguration(new ApiTokenRecordConfiguration());
    }

    private static void FileNotes(Microsoft.EntityFrameworkCore.Metadata.Builders.ComplexCollectionBuilder<FileNoteRecord> notes, string column)
    {
        notes.ToJson(column);
        notes.Property(n => n.Path).HasJsonPropertyName("path");
        notes.Property(n => n.Reason).HasJsonPropertyName("reason");
    }
}

internal sealed class SqliteNectrDb(DbContextOptions<SqliteNectrDb> options) : NectrDb(options);

internal sealed class PostgresNectrDb(DbContextOptions<PostgresNectrDb> options) : NectrDb(options);
