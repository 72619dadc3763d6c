using Microsoft.EntityFrameworkCore;
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
        var ids = batch.Select(i => i.DeliveryId).Distinct().ToList();
        var known = (await db.Deliveries.Where(d => ids.Contains(d.DeliveryId)).Select(d => d.DeliveryId).ToListAsync(cancellationToken)).ToHashSet();
        var jobs = await IntakeJobs.LockAsync(db, batch.Where(i => i.SkipReason is null && i.Command is null).Select(i => i.Head).ToList(), now, cancellationToken);

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
                await jobs.LinkAsync(delivery, item.Head, item.Request, cancellationToken);
            }

            stored.Add((item, delivery));
        }

        await WriteRowsAsync(db, stored.Select(s => s.Delivery).OfType<DeliveryRecord>().ToList(), cancellationToken);
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

    /// <summary>
    /// Writes the batch without the change tracker: the new jobs (<see cref="IntakeJobs"/> added them to the context),
    /// then every delivery with its job's id, each kind in one multi-row insert (<see cref="EntityRows"/>). Whatever
    /// else the batch changed through the context (an installation's repositories) is saved as before. A delivery id
    /// or job another process stored meanwhile refuses the batch, which is then stored item by item, as a unique
    /// index's refusal always was (<see cref="WebhookIntake"/>).
    /// </summary>
    private static async Task WriteRowsAsync(NectrDb db, List<DeliveryRecord> deliveries, CancellationToken cancellationToken)
    {
        var newJobs = db.ChangeTracker.Entries<ReviewJob>().Where(e => e.State == EntityState.Added).ToList();
        if (newJobs.Count > 0)
        {
            var jobs = newJobs.Select(e => e.Entity).ToList();
            var ids = await EntityRows.InsertAsync<ReviewJob, NewJobId>(db, jobs, JobKeyColumns,
                "\"Id\", \"RepositoryFullName\", \"PullNumber\", \"HeadSha\", \"Rerun\"",
                static r => new NewJobId { Id = r.GetInt64(0), RepositoryFullName = r.GetString(1), PullNumber = r.GetInt32(2), HeadSha = r.GetString(3), Rerun = r.GetInt32(4) },
                cancellationToken);
            if (ids.Count != jobs.Count)
            {
                throw new DbUpdateException($"{jobs.Count - ids.Count} of {jobs.Count} new job(s) were stored by another process meanwhile.");
            }

            var byKey = ids.ToDictionary(j => (j.RepositoryFullName, j.PullNumber, j.HeadSha, j.Rerun), j => j.Id);
            foreach (var entry in newJobs)
            {
                var job = entry.Entity;
                job.Id = byKey[(job.RepositoryFullName, job.PullNumber, job.HeadSha, job.Rerun)];
                entry.State = EntityState.Detached;
            }
        }

        await db.SaveChangesAsync(cancellationToken);
        foreach (var delivery in deliveries)
        {
            delivery.JobId ??= delivery.Job?.Id;
            delivery.Job = null;
        }

        var written = await EntityRows.InsertAsync<DeliveryRecord, string>(db, deliveries, "\"DeliveryId\"", "\"DeliveryId\"", static r => r.GetString(0), cancellationToken);
        if (written.Count != deliveries.Count)
        {
            throw new DbUpdateException($"{deliveries.Count - written.Count} of {deliveries.Count} delivery id(s) were stored by another process meanwhile.");
        }
    }

    private const string JobKeyColumns = "\"RepositoryFullName\", \"PullNumber\", \"HeadSha\", \"Rerun\"";

    /// <summary>A new job's id, with its unique key to tell which job it is.</summary>
    private sealed class NewJobId
    {
        public long Id { get; init; }
        public required string RepositoryFullName { get; init; }
        public int PullNumber { get; init; }
        public required string HeadSha { get; init; }
        public int Rerun { get; init; }
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
