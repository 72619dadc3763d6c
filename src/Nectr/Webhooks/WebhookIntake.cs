using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Jobs;

namespace Nectr.Webhooks;

/// <summary>What became of a verified delivery.</summary>
internal sealed record IntakeResult(bool Duplicate, DeliveryOutcome Outcome, long? JobId, string? Reason);

/// <summary>
/// Stores a verified delivery and, when it asks for a review, its job — in one transaction, so a delivery is
/// never acknowledged without its job, nor a job queued for a delivery that was not kept.
/// </summary>
internal sealed class WebhookIntake(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, NectrOptions options, TimeProvider time, JobSignal signal)
{
    private static readonly HashSet<string> ReviewActions = new(StringComparer.Ordinal) { "opened", "synchronize", "reopened", "ready_for_review" };

    public async Task<IntakeResult> AcceptAsync(string deliveryId, string eventName, string body, WebhookPayload payload, CancellationToken cancellationToken)
    {
        // Two deliveries racing to create the same job (or the same delivery twice) lose to a unique index; the
        // retry then sees the winner's row and links to it instead.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                var result = await TryAcceptAsync(deliveryId, eventName, body, payload, cancellationToken);
                if (result is { Duplicate: false, Outcome: DeliveryOutcome.Pending })
                {
                    signal.Notify();
                }

                return result;
            }
            catch (DbUpdateException) when (attempt < 3)
            {
            }
        }
    }

    private async Task<IntakeResult> TryAcceptAsync(string deliveryId, string eventName, string body, WebhookPayload payload, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);

        if (await db.Deliveries.AnyAsync(d => d.DeliveryId == deliveryId, cancellationToken))
        {
            return new IntakeResult(true, DeliveryOutcome.Pending, null, "already received");
        }

        var now = time.GetUtcNow();
        var delivery = new DeliveryRecord
        {
            DeliveryId = deliveryId,
            Event = eventName,
            Action = payload.Action,
            RepositoryFullName = payload.Repository?.FullName,
            PullNumber = payload.PullRequest?.Number,
            HeadSha = payload.PullRequest?.Head?.Sha,
            Payload = body,
            ReceivedAt = now.UtcDateTime,
        };
        db.Deliveries.Add(delivery);

        var decision = Decide(eventName, payload);
        if (decision is not null)
        {
            delivery.Outcome = DeliveryOutcome.Skipped;
            delivery.OutcomeReason = decision;
            delivery.CompletedAt = now.UtcDateTime;
            await db.SaveChangesAsync(cancellationToken);
            await tx.CommitAsync(cancellationToken);
            return new IntakeResult(false, delivery.Outcome, null, decision);
        }

        var (job, reason) = await EnqueueAsync(db, payload, now, cancellationToken);
        await db.SaveChangesAsync(cancellationToken); // gives a new job its id
        delivery.JobId = job.Id;
        if (job.Status is not (JobStatus.Queued or JobStatus.Running))
        {
            delivery.Outcome = DeliveryOutcome.Skipped;
            delivery.OutcomeReason = reason;
            delivery.CompletedAt = now.UtcDateTime;
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
        return new IntakeResult(false, delivery.Outcome, job.Id, reason);
    }

    /// <summary>Returns why the delivery needs no review, or null when it does.</summary>
    private string? Decide(string eventName, WebhookPayload payload)
    {
        switch (eventName)
        {
            case "ping":
                return "ping: the webhook is connected";
            case "pull_request":
                if (payload.Action is null || !ReviewActions.Contains(payload.Action))
                {
                    return $"pull_request action '{payload.Action}' does not trigger a review";
                }

                if (payload.PullRequest!.State is not null and not "open")
                {
                    return $"pull request is {payload.PullRequest.State}";
                }

                if (payload.PullRequest.Draft && !options.Queue.ReviewDrafts)
                {
                    return "draft pull request: waits for ready_for_review (set REVIEW_DRAFTS=true to review drafts)";
                }

                return null;
            case "issues":
                return "issues event: stored as context for reviews";
            default:
                return $"event '{eventName}' is not used by Nectr";
        }
    }

    private static async Task<(ReviewJob Job, string? Reason)> EnqueueAsync(NectrDb db, WebhookPayload payload, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var repo = payload.Repository!.FullName!;
        var number = payload.PullRequest!.Number;
        var sha = payload.PullRequest.Head!.Sha!;

        var existing = await db.ReviewJobs.FirstOrDefaultAsync(j => j.RepositoryFullName == repo && j.PullNumber == number && j.HeadSha == sha, cancellationToken);
        if (existing is not null)
        {
            var reason = existing.Status is JobStatus.Queued or JobStatus.Running
                ? null
                : $"head {Short(sha)} already handled by job {existing.Id} ({existing.Status.ToString().ToLowerInvariant()})";
            return (existing, reason);
        }

        // A newer head makes queued reviews of older heads pointless: skip them, and their deliveries with them.
        var supersededReason = $"superseded by newer head {Short(sha)}";
        var superseded = await db.ReviewJobs
            .Where(j => j.RepositoryFullName == repo && j.PullNumber == number && j.Status == JobStatus.Queued)
            .ToListAsync(cancellationToken);
        foreach (var old in superseded)
        {
            old.Status = JobStatus.Skipped;
            old.OutcomeReason = supersededReason;
            old.UpdatedAt = now.UtcDateTime;
            old.CompletedAt = now.UtcDateTime;
        }

        if (superseded.Count > 0)
        {
            var ids = superseded.Select(j => j.Id).ToList();
            await db.Deliveries
                .Where(d => d.JobId != null && ids.Contains(d.JobId.Value) && d.Outcome == DeliveryOutcome.Pending)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Outcome, DeliveryOutcome.Skipped)
                    .SetProperty(d => d.OutcomeReason, supersededReason)
                    .SetProperty(d => d.CompletedAt, now.UtcDateTime), cancellationToken);
        }

        var job = new ReviewJob
        {
            RepositoryFullName = repo,
            PullNumber = number,
            HeadSha = sha,
            Status = JobStatus.Queued,
            RunAfterMs = now.ToUnixTimeMilliseconds(),
            CreatedAt = now.UtcDateTime,
            UpdatedAt = now.UtcDateTime,
        };
        db.ReviewJobs.Add(job);
        return (job, null);
    }

    internal static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}
