using Microsoft.EntityFrameworkCore;

namespace Nectr.Data;

/// <summary>
/// The definition of one MCP server's tool as first seen (SHA-256 of its canonical description and schemas), and a
/// later different definition waiting for someone to accept it. Unique by (server, tool). Written only by
/// <c>McpClient/McpPins</c>.
/// </summary>
internal sealed class McpToolPinRecord
{
    public long Id { get; set; }
    public required string Server { get; set; }
    public required string Tool { get; set; }
    /// <summary>The accepted definition's SHA-256 (hex).</summary>
    public required string Sha256 { get; set; }
    /// <summary>Short hashes of its description, input schema and output schema, to say which part a change touched.</summary>
    public required string Parts { get; set; }
    public DateTime FirstSeenAt { get; set; }
    public long? AcceptedByUserId { get; set; }
    public DateTime? AcceptedAt { get; set; }
    /// <summary>A different definition the server gave since; the tool is not used while it is set.</summary>
    public string? PendingSha256 { get; set; }
    public string? PendingParts { get; set; }
    public string? PendingSummary { get; set; }
    public DateTime? PendingSeenAt { get; set; }
}

internal static class McpToolPinModel
{
    public const int MaxNameLength = 200;

    public static void Configure(ModelBuilder modelBuilder) => modelBuilder.Entity<McpToolPinRecord>(e =>
    {
        e.ToTable("mcp_tool_pins");
        // Every read is one server's pins (or one tool of it): the unique index serves both.
        e.HasIndex(p => new { p.Server, p.Tool }).IsUnique();
        e.Property(p => p.Server).HasMaxLength(MaxNameLength);
        e.Property(p => p.Tool).HasMaxLength(MaxNameLength);
        e.Property(p => p.Sha256).HasMaxLength(64);
        e.Property(p => p.Parts).HasMaxLength(100);
        e.Property(p => p.PendingSha256).HasMaxLength(64);
        e.Property(p => p.PendingParts).HasMaxLength(100);
        e.Property(p => p.PendingSummary).HasMaxLength(200);
    });
}
