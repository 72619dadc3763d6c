using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.McpClient;

/// <summary>
/// The one owner of <c>mcp_tool_pins</c>. The first definition a server gives for a tool is pinned; a different one
/// later is recorded as pending with a short summary and the tool is not used (a server could otherwise rewrite a
/// trusted tool's description into instructions, a "rug pull") until someone accepts it in Settings.
/// </summary>
internal sealed class McpPins(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, TimeProvider time)
{
    // Two reviews meeting a new tool at once both insert its pin; the loser reads the winner's row and compares.
    private static readonly Polly.ResiliencePipeline FirstPinRace =
        WriteConflicts.RetryAtOnce(2, ex => ex is DbUpdateException { InnerException: { } inner } && WriteConflicts.IsUniqueViolation(inner));

    /// <summary>Pins what is new, records what changed, and says for each tool whether it may be used.</summary>
    public async Task<IReadOnlyDictionary<string, McpToolPin>> CheckAsync(string server, IReadOnlyList<McpToolDefinition> tools, CancellationToken cancellationToken)
    {
        return await FirstPinRace.ExecuteAsync(async ct => await CheckOnceAsync(server, tools, ct), cancellationToken);
    }

    private async Task<IReadOnlyDictionary<string, McpToolPin>> CheckOnceAsync(string server, IReadOnlyList<McpToolDefinition> tools, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var pins = await db.McpToolPins.Where(p => p.Server == server).ToDictionaryAsync(p => p.Tool, StringComparer.Ordinal, cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;
        var states = new Dictionary<string, McpToolPin>(StringComparer.Ordinal);
        foreach (var tool in tools.Where(t => t.Tool.Length <= McpToolPinModel.MaxNameLength).DistinctBy(t => t.Tool))
        {
            if (!pins.TryGetValue(tool.Tool, out var pin))
            {
                db.McpToolPins.Add(new McpToolPinRecord { Server = server, Tool = tool.Tool, Sha256 = tool.Sha256, Parts = tool.Parts, FirstSeenAt = now });
                states[tool.Tool] = new McpToolPin(McpPinState.Accepted, null);
            }
            else if (pin.Sha256 == tool.Sha256)
            {
                // Back to the pinned definition: a pending change no longer describes what the server gives.
                pin.PendingSha256 = pin.PendingParts = pin.PendingSummary = null;
                pin.PendingSeenAt = null;
                states[tool.Tool] = new McpToolPin(McpPinState.Accepted, null);
            }
            else
            {
                if (pin.PendingSha256 != tool.Sha256)
                {
                    pin.PendingSha256 = tool.Sha256;
                    pin.PendingParts = tool.Parts;
                    pin.PendingSummary = McpToolDefinition.Summary(pin.Parts, tool.Parts);
                    pin.PendingSeenAt = now;
                }

                states[tool.Tool] = new McpToolPin(McpPinState.Changed, pin.PendingSummary);
            }
        }

        if (db.ChangeTracker.HasChanges())
        {
            using var _ = await writeGate.EnterAsync(cancellationToken);
            await db.SaveChangesAsync(cancellationToken);
        }

        return states;
    }

    /// <summary>Each pinned tool of <paramref name="server"/> with its state, for Settings.</summary>
    public async Task<IReadOnlyDictionary<string, McpToolPin>> ForServerAsync(string server, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.McpToolPins.AsNoTracking().Where(p => p.Server == server).ToDictionaryAsync(
            p => p.Tool,
            p => new McpToolPin(p.PendingSha256 == null ? McpPinState.Accepted : McpPinState.Changed, p.PendingSummary),
            StringComparer.Ordinal,
            cancellationToken);
    }

    /// <summary>Makes the pending definition of a tool its pin; false when none is pending.</summary>
    public async Task<bool> AcceptAsync(string server, string tool, long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow().UtcDateTime;

        // Conditional on the pending row still being there: two people accepting at once accept once.
        var pin = await db.McpToolPins.SingleOrDefaultAsync(p => p.Server == server && p.Tool == tool, cancellationToken);
        if (pin?.PendingSha256 is not { } pending)
        {
            return false;
        }

        using var _ = await writeGate.EnterAsync(cancellationToken);
        var updated = await db.McpToolPins
            .Where(p => p.Id == pin.Id && p.PendingSha256 == pending)
            .ExecuteUpdateAsync(
                s => s.SetProperty(p => p.Sha256, pending)
                    .SetProperty(p => p.Parts, pin.PendingParts ?? "")
                    .SetProperty(p => p.AcceptedByUserId, userId)
                    .SetProperty(p => p.AcceptedAt, now)
                    .SetProperty(p => p.PendingSha256, (string?)null)
                    .SetProperty(p => p.PendingParts, (string?)null)
                    .SetProperty(p => p.PendingSummary, (string?)null)
                    .SetProperty(p => p.PendingSeenAt, (DateTime?)null),
                cancellationToken);
        return updated == 1;
    }
}

/// <summary>A tool's pin state, and what changed when it is <see cref="McpPinState.Changed"/>.</summary>
internal sealed record McpToolPin(McpPinState State, string? ChangeSummary);
