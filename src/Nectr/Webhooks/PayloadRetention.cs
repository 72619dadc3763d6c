using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>
/// Forgets the raw body of a delivery that reached its outcome more than <c>WEBHOOK_PAYLOAD_RETENTION_DAYS</c> ago
/// (0: never). Nothing reads a body back once intake has taken its fields, and a busy organisation's bodies would
/// otherwise grow the database by gigabytes a year; the row (id, event, outcome, reason, job) stays for the history,
/// the activity page and analytics. A pending delivery keeps its body. Runs at start and hourly, in batches, through
/// the write gate; several instances sweeping at once do the same idempotent update.
/// </summary>
internal sealed partial class PayloadRetention(
    IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IOptions<WebhookOptions> options, TimeProvider time, ILogger<PayloadRetention> logger) : BackgroundService
{
    private const int BatchSize = 1_000;
    private static readonly TimeSpan Interval = TimeSpan.FromHours(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                Log.Failed(logger, ex); // the next hour tries again; intake never depends on this
            }

            await Task.Delay(Interval, time, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    /// <summary>Clears the bodies older than the retention; returns how many.</summary>
    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var days = options.Value.PayloadRetentionDays;
        if (days == 0)
        {
            return 0;
        }

        var cutoff = time.GetUtcNow().UtcDateTime.AddDays(-days);
        var cleared = 0;
        // Each batch starts after the last one's ids: starting from the first id again would read every row cleared
        // so far once per batch, which for a first sweep over a large history grows with the square of its size.
        var after = 0L;
        while (!cancellationToken.IsCancellationRequested)
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var ids = await db.Deliveries.AsNoTracking()
                .Where(d => d.Id > after && d.ReceivedAt < cutoff && d.Outcome != DeliveryOutcome.Pending && (d.PayloadBrotli != null || d.Payload != null))
                .OrderBy(d => d.Id).Select(d => d.Id).Take(BatchSize).ToListAsync(cancellationToken);
            if (ids.Count == 0)
            {
                break;
            }

            after = ids[^1];

            using (await writeGate.EnterAsync(cancellationToken))
            {
                cleared += await db.Deliveries.Where(d => ids.Contains(d.Id))
                    .ExecuteUpdateAsync(s => s.SetProperty(d => d.PayloadBrotli, (byte[]?)null).SetProperty(d => d.Payload, (string?)null), cancellationToken);
            }
        }

        if (cleared > 0)
        {
            Log.Cleared(logger, cleared, days);
        }

        return cleared;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Cleared the raw bodies of {Count} deliveries older than {Days} days (WEBHOOK_PAYLOAD_RETENTION_DAYS); their rows stay")]
        public static partial void Cleared(ILogger logger, int count, int days);

        [LoggerMessage(2, LogLevel.Warning, "Clearing old delivery bodies failed; trying again in an hour")]
        public static partial void Failed(ILogger logger, Exception error);
    }
}
