using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Health;

/// <summary>
/// Writes the <c>/health/ready</c> report as Nectr always has: <c>{status, reasons, warnings}</c>, where reasons come from
/// unhealthy checks (not ready, 503) and warnings from degraded ones (still ready, 200), in registration order.
/// </summary>
internal static class ReadyResponseWriter
{
    public static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        var cancellationToken = context.RequestAborted;
        var reasons = new List<string>();
        var warnings = new List<string>();
        var database = DatabaseHealth.State(report);
        if (database != DatabaseHealth.Ok)
        {
            var display = context.RequestServices.GetRequiredService<IOptions<DatabaseOptions>>().Value.Connection.Display;
            reasons.Add(DatabaseHealth.Reason(display, database));
        }

        foreach (var (name, entry) in report.Entries)
        {
            if (entry.Status == HealthStatus.Healthy || name is DatabaseHealth.Check or DatabaseHealth.MigrationsCheck)
            {
                continue;
            }

            var into = entry.Status == HealthStatus.Unhealthy ? reasons : warnings;
            foreach (var note in ReadyNote.Of(entry))
            {
                into.AddRange(await note.RenderAsync(context, cancellationToken));
            }
        }

        var body = new ReadyResponse(reasons.Count == 0 ? "ready" : "not_ready", reasons, warnings);
        await context.Response.WriteAsJsonAsync(body, cancellationToken);
    }
}

internal sealed record ReadyResponse(string Status, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings);
