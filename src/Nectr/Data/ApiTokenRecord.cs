using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Nectr.Data;

/// <summary>
/// A personal API token (for the MCP server): only the SHA-256 of the whole token is kept, never the token. Written only
/// by <c>ApiTokens/ApiTokenStore</c>.
/// </summary>
internal sealed class ApiTokenRecord
{
    public const int MaxNameLength = 100;

    public long Id { get; set; }
    /// <summary>The token's public part (<c>nectr_&lt;PublicId&gt;_&lt;secret&gt;</c>): finds the row without comparing secrets.</summary>
    public required string PublicId { get; set; }
    public long UserId { get; set; }
    public required string Name { get; set; }
    /// <summary>SHA-256 of the whole token, so the hash is salted by the token's own public id.</summary>
    public required byte[] SecretHash { get; set; }
    public DateTime CreatedAt { get; set; }
    /// <summary>Updated at most once a minute (see <c>ApiTokenStore.LastUsedResolution</c>).</summary>
    public DateTime? LastUsedAt { get; set; }
    public DateTime? RevokedAt { get; set; }
}

internal sealed class ApiTokenRecordConfiguration : IEntityTypeConfiguration<ApiTokenRecord>
{
    public void Configure(EntityTypeBuilder<ApiTokenRecord> e)
    {
        e.ToTable("api_tokens");
        e.HasIndex(t => t.PublicId).IsUnique();
        e.HasIndex(t => new { t.UserId, t.CreatedAt });
        e.Property(t => t.PublicId).HasMaxLength(32);
        e.Property(t => t.Name).HasMaxLength(ApiTokenRecord.MaxNameLength);
        e.Property(t => t.SecretHash).HasMaxLength(32);
        e.HasOne<UserRecord>().WithMany().HasForeignKey(t => t.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
