using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Nectr.Data;

/// <summary>
/// One memory extraction after a review: what the model proposed, what was stored or updated, what it cost, and why
/// it failed when it did. Written only by <c>Memory/MemoryStore</c>, for <c>Memory/MemoryExtraction</c>.
/// </summary>
internal sealed class MemoryExtractionRecord
{
    public const int MaxErrorLength = 500;

    public long Id { get; set; }
    /// <summary>The review job whose posted review the memories were extracted from.</summary>
    public long JobId { get; set; }
    public required string RepositoryFullName { get; set; }
    public int PullNumber { get; set; }
    /// <summary><c>done</c>, <c>failed</c> (the model or the database) or <c>timed_out</c> (MEMORY_EXTRACTION_TIMEOUT_SECONDS).</summary>
    public required string Status { get; set; }
    public int Proposed { get; set; }
    public int Dropped { get; set; }
    public int Stored { get; set; }
    public int Updated { get; set; }
    public string? Model { get; set; }
    public long InputTokens { get; set; }
    public long OutputTokens { get; set; }
    /// <summary>USD; null when the model has no known price (LLM_PRICES).</summary>
    public decimal? CostUsd { get; set; }
    public long DurationMs { get; set; }
    public string? Error { get; set; }
    public DateTime CreatedAt { get; set; }
}

internal sealed class MemoryExtractionRecordConfiguration : IEntityTypeConfiguration<MemoryExtractionRecord>
{
    public void Configure(EntityTypeBuilder<MemoryExtractionRecord> e)
    {
        e.ToTable("memory_extractions");
        e.HasIndex(x => x.JobId);
        e.HasIndex(x => new { x.RepositoryFullName, x.CreatedAt });
        e.Property(x => x.RepositoryFullName).HasMaxLength(200);
        e.Property(x => x.Status).HasMaxLength(16);
        e.Property(x => x.Model).HasMaxLength(200);
        e.Property(x => x.Error).HasMaxLength(MemoryExtractionRecord.MaxErrorLength);
        // A double on both providers, as reviews store theirs, so SQLite can sum costs in SQL.
        e.Property(x => x.CostUsd).HasConversion<double?>();
    }
}
