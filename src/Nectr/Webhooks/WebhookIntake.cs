using System.Data.Common;
using System.Threading.Channels;
using Microsoft.EntityFrameworkCore;
using Nectr.Commands;
using Nectr.Data;
using Nectr.Issues;
using Nectr.Jobs;
using Nectr.Knowledge;
using Polly;

namespace Nectr.Webhooks;

/// <summary>What became of a verified delivery.</summary>
internal sealed record IntakeResult(bool Duplicate, DeliveryOutcome Outcome, long? JobId, string? Reason);

/// <summary>
/// The single writer of deliveries in this process. Requests hand their delivery over and wait; the writer
/// takes everything waiting, stores it in one transaction (<see cref="IntakeBatch"/>) and answers each request
/// after the commit. A delivery is never acknowledged without its job, nor a job queued for a delivery not kept.
/// </summary>
internal sealed partial class WebhookIntake(
    IDbContextFactory<NectrDb> dbs,
    DbWriteGate writeGate,
    KnowledgeIndex knowledge,
    IssueStore issues,
    GitHubApp.Installations installations,
    TimeProvider time,
    JobSignal signal,
    ILogger<WebhookIntake> logger) : BackgroundService
{
    private const int MaxBatch = 256;
    private const long MaxBatchBytes = 32L * 1024 * 1024;

    /// <summary>
    /// A delivery stored alone after its batch hit a conflict gets two more tries, at once: the retry sees the row the
    /// other process committed and links to it. Anything else, or a third conflict, fails that delivery alone.
    /// </summary>
    private static readonly ResiliencePipeline StoreAlone = WriteConflicts.RetryAtOnce(2, WriteConflicts.IsRefusedWrite);

    private readonly Channel<IntakeItem> _pending = Channel.CreateBounded<IntakeItem>(new BoundedChannelOptions(10_000)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });

    /// <summary>
    /// Stores the delivery (<paramref name="payloadBrotli"/>: its body as <see cref="DeliveryPayload.Compress"/> left it); <paramref name="skipReason"/> (see <see cref="IntakePolicy"/>) says why it needs no review, and
    /// <paramref name="command"/> is the PR comment command it gives instead (see <see cref="CommandIntake"/>).
    /// </summary>
    public async Task<IntakeResult> AcceptAsync(
        string deliveryId, string eventName, byte[] payloadBrotli, WebhookPayload payload, string? skipReason, CommandIntake? command, CancellationToken cancellationToken)
    {
        var item = new IntakeItem(deliveryId, eventName, payloadBrotli, payload, skipReason, command);
        await _pending.Writer.WriteAsync(item, cancellationToken);
        return await item.Result.WaitAsync(cancellationToken);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<IntakeItem>(MaxBatch);
        try
        {
            while (await _pending.Reader.WaitToReadAsync(stoppingToken))
            {
                long bytes = 0;
                while (batch.Count < MaxBatch && bytes < MaxBatchBytes && _pending.Reader.TryRead(out var item))
                {
                    batch.Add(item);
                    bytes += item.PayloadBrotli.Length;
                }

                await StoreAsync(batch, stoppingToken);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: whatever is still waiting was not stored, so its requests get a 503 and GitHub redelivers.
            _pending.Writer.TryComplete();
            var stopped = new OperationCanceledException("Nectr is shutting down.");
            foreach (var item in batch)
            {
                item.Fail(stopped);
            }

            while (_pending.Reader.TryRead(out var item))
            {
                item.Fail(stopped);
            }
        }
    }

    private async Task StoreAsync(List<IntakeItem> batch, CancellationToken cancellationToken)
    {
        try
        {
            Complete(await StoreOnceAsync(batch, cancellationToken));
        }
        catch (Exception ex) when (ex is DbUpdateException or DbException && batch.Count > 1)
        {
            // Another process raced us to a delivery or job (a unique index said no), or one item is bad: store
            // each delivery on its own so one conflict cannot fail the others.
            foreach (var item in batch)
            {
                await StoreAloneAsync(item, cancellationToken);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(logger, ex, batch.Count);
            foreach (var item in batch)
            {
                item.Fail(ex);
            }
        }
    }

    private async Task StoreAloneAsync(IntakeItem item, CancellationToken cancellationToken)
    {
        try
        {
            Complete(await StoreAlone.ExecuteAsync(ct => new ValueTask<List<(IntakeItem, IntakeResult)>>(StoreOnceAsync([item], ct)), cancellationToken));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.StoreFailed(logger, ex, 1);
            item.Fail(ex);
        }
    }

    private async Task<List<(IntakeItem Item, IntakeResult Result)>> StoreOnceAsync(IReadOnlyList<IntakeItem> batch, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await IntakeBatch.StoreAsync(db, batch, knowledge, issues, installations, time.GetUtcNow(), cancellationToken);
    }

    private void Complete(List<(IntakeItem Item, IntakeResult Result)> results)
    {
        foreach (var (item, result) in results)
        {
            item.Complete(result);
        }

        if (results.Any(r => r.Result is { Duplicate: false, Outcome: DeliveryOutcome.Pending }))
        {
            signal.Notify();
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Error, "Could not store {Count} webhook delivery(ies); they are answered 503 so GitHub can redeliver")]
        public static partial void StoreFailed(ILogger logger, Exception exception, int count);
    }
}
