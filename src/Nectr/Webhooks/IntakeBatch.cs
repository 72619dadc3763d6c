using Nectr.Commands;
using Nectr.Data;
using Nectr.GitHubApp;
using Nectr.Issues;
using Nectr.Jobs;
using Nectr.Knowledge;

namespace Nectr.Webhooks;

/// <summary>A verified, parsed delivery waiting to be stored, and the caller waiting for its outcome.</summary>
internal sealed class IntakeItem(string deliveryId, string eventName, byte[] payloadBrotli, WebhookPayload payload, string? skipReason, CommandIntake? command = null)
{
    private readonly TaskCompletionSource<IntakeResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string DeliveryId { get; } = deliveryId;
    public string Event { get; } = eventName;
    /// <summary>The raw body, Brotli-compressed (<see cref="DeliveryPayload"/>).</summary>
    public byte[] PayloadBrotli { get; } = payloadBrotli;
    public WebhookPayload Payload { get; } = payload;
    public string? SkipReason { get; } = skipReason;
    /// <summary>The PR comment command this delivery gives (a command job, not a review), when <see cref="SkipReason"/> is null.</summary>
    public CommandIntake? Command { get; } = command;
    public Task<IntakeResult> Result => _result.Task;

    /// <summary>The head a reviewing delivery asks for; only called when <see cref="SkipReason"/> is null.</summary>
    public JobKey Head => Payload.CheckRun is not null ? Checks.CheckRerun.Head(Payload)
        : new(Payload.Repository!.FullName!, Payload.PullRequest!.Number, Payload.PullRequest.Head!.Sha!);

    /// <summary>How the review was asked for: a push, or a person again (the check run's Re-run button).</summary>
    public JobRequest Request => Payload.CheckRun is not null ? Checks.CheckRerun.Request(Payload) : JobRequest.Push;

    public void Complete(IntakeResult result) => _result.TrySetResult(result);

    public void Fail(Exception error) => _result.TrySetException(error);
}

/// <summary>
/// Stores many deliveries, and the jobs they ask for, in ONE transaction: group commit. A durable write costs one
/// fsync however many deliveries share it, so throughput grows with load while every caller still gets its answer
/// only after the commit. Duplicates are resolved here; links to jobs and superseding belong to
/// <see cref="IntakeJobs"/>, which locks the jobs it decides from; the pull requests' facts go to the
/// <see cref="KnowledgeIndex"/> and the issues to the <see cref="IssueStore"/> in the same transaction (no commit of their own,
/// and their failure stores the deliveries anyway).
/// </summary>
internal static class IntakeBatch
{
    public static async Task<List<(IntakeItem Item, IntakeResult Result)>> StoreAsync(
        NectrDb db, IReadOnlyList<IntakeItem> batch, KnowledgeIndex knowledge, IssueStore issues, Installations installations, DateTimeOffset now,
        CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var heads = batch.Where(i => i.SkipReason is null && i.Command is null).Select(i => i.Head).ToList();
        var commands = batch.Count(i => i.SkipReason is null && i.Command is { Request: not null });
        var (known, jobs) = await IntakeJobs.ReadAsync(db, batch.Select(i => i.DeliveryId).Distinct().ToList(), heads, heads.Count + commands, now, cancellationToken);

        var stored = new List<(IntakeItem Item, DeliveryRecord? Delivery)>(batch.Count);
        var connected = new List<string>();
        foreach (var item in batch)
        {
            if (!known.Add(item.DeliveryId))
            {
                stored.Add((item, null));
                continue;
            }

            // An App's installation deliveries connect and disconnect repositories here, in order; the reason says what changed.
            var skip = item.SkipReason is null ? null
                : await installations.ApplyInTransactionAsync(db, item.Event, item.Payload, now, connected, cancellationToken) ?? item.SkipReason;
            var delivery = NewDelivery(item, now);
            if (skip is not null)
            {
                IntakeJobs.Settle(delivery, DeliveryOutcome.Skipped, skip, now);
            }
            else if (item.Command is { Request: { } command } comment)
            {
                jobs.QueueCommand(delivery, item.Payload.Repository!.FullName!, comment.Number, command);
            }
            else
            {
                jobs.Link(delivery, item.Head, item.Request);
            }

            stored.Add((item, delivery));
        }

        // Whatever the batch changed through the context (an installation's repositories) is saved as before.
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(cancellationToken);
        }

        await IntakeWrite.WriteAsync(db, jobs, stored.Select(s => s.Delivery).OfType<DeliveryRecord>().ToList(), cancellationToken);
        await knowledge.RecordInTransactionAsync(db,
            stored.Where(s => s.Delivery is not null).Select(s => PullRequestFacts.FromDelivery(s.Item.Event, s.Item.Payload, now)).OfType<PullRequestFacts>(),
            cancellationToken);
        await issues.RecordInTransactionAsync(db,
            stored.Where(s => s.Delivery is not null).Select(s => IssueFacts.FromDelivery(s.Item.Event, s.Item.Payload, now)).OfType<IssueFacts>(),
            cancellationToken);
        await tx.CommitAsync(cancellationToken);
        installations.StartSync(connected);

        return stored.Select(s => (s.Item, s.Delivery is null
            ? new IntakeResult(true, DeliveryOutcome.Pending, null, "already received")
            : new IntakeResult(false, s.Delivery.Outcome, s.Delivery.JobId, s.Delivery.OutcomeReason))).ToList();
    }

    /// <summary>The head a check run's Re-run asks for, when it asks for one.</summary>
    private static JobKey? Rerun(IntakeItem item) => item.SkipReason is null && item.Payload.CheckRun is not null ? item.Head : null;

    private static DeliveryRecord NewDelivery(IntakeItem item, DateTimeOffset now) => new()
    {
        DeliveryId = item.DeliveryId,
        Event = item.Event,
        Action = item.Payload.Action,
        RepositoryFullName = item.Payload.Repository?.FullName,
        PullNumber = item.Payload.PullRequest?.Number ?? (item.Command?.Number is > 0 and var number ? number : Rerun(item)?.Number),
        HeadSha = item.Payload.PullRequest?.Head?.Sha ?? Rerun(item)?.HeadSha,
        PayloadBrotli = item.PayloadBrotli,
        ReceivedAt = now.UtcDateTime,
        Outcome = DeliveryOutcome.Pending,
    };
}
