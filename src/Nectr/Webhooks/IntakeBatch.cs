using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>A verified, parsed delivery waiting to be stored, and the caller waiting for its outcome.</summary>
internal sealed class IntakeItem(string deliveryId, string eventName, string body, WebhookPayload payload, string? skipReason)
{
    private readonly TaskCompletionSource<IntakeResult> _result = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string DeliveryId { get; } = deliveryId;
    public string Event { get; } = eventName;
    public string Body { get; } = body;
    public WebhookPayload Payload { get; } = payload;
    public string? SkipReason { get; } = skipReason;
    public Task<IntakeResult> Result => _result.Task;

    public void Complete(IntakeResult result) => _result.TrySetResult(result);

    public void Fail(Exception error) => _result.TrySetException(error);
}

/// <summary>
/// Stores many deliveries, and the jobs they ask for, in ONE transaction: group commit. A durable write costs one
/// fsync however many deliveries share it, so throughput grows with load while every caller still gets its answer
/// only after the commit. Duplicates, links to existing jobs and superseding are resolved in memory per batch.
/// </summary>
internal static class IntakeBatch
{
    public static async Task<List<(IntakeItem Item, IntakeResult Result)>> StoreAsync(NectrDb db, IReadOnlyList<IntakeItem> batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var ids = batch.Select(i => i.DeliveryId).Distinct().ToList();
        var known = (await db.Deliveries.Where(d => ids.Contains(d.DeliveryId)).Select(d => d.DeliveryId).ToListAsync(cancellationToken)).ToHashSet();
        var jobs = await JobIndex.LoadAsync(db, batch.Where(i => i.SkipReason is null).ToList(), cancellationToken);

        var stored = new List<(IntakeItem Item, DeliveryRecord? Delivery, string? Reason)>(batch.Count);
        foreach (var item in batch)
        {
            if (!known.Add(item.DeliveryId))
            {
                stored.Add((item, null, "already received"));
                continue;
            }

            var delivery = NewDelivery(item, now);
            db.Deliveries.Add(delivery);
            if (item.SkipReason is { } skip)
            {
                Complete(delivery, DeliveryOutcome.Skipped, skip, now);
                stored.Add((item, delivery, skip));
                continue;
            }

            var (job, reason) = jobs.JobFor(db, item.Payload, now);
            delivery.Job = job;
            if (reason is null)
            {
                jobs.Track(job, delivery);
            }
            else
            {
                Complete(delivery, DeliveryOutcome.Skipped, reason, now);
            }

            stored.Add((item, delivery, reason));
        }

        await db.SaveChangesAsync(cancellationToken);
        await jobs.SkipDeliveriesOfSupersededAsync(db, now, cancellationToken);
        await tx.CommitAsync(cancellationToken);

        return stored.Select(s => (s.Item, s.Delivery is null
            ? new IntakeResult(true, DeliveryOutcome.Pending, null, s.Reason)
            : new IntakeResult(false, s.Delivery.Outcome, s.Delivery.Job?.Id, s.Delivery.OutcomeReason))).ToList();
    }

    private static DeliveryRecord NewDelivery(IntakeItem item, DateTimeOffset now) => new()
    {
        DeliveryId = item.DeliveryId,
        Event = item.Event,
        Action = item.Payload.Action,
        RepositoryFullName = item.Payload.Repository?.FullName,
        PullNumber = item.Payload.PullRequest?.Number,
        HeadSha = item.Payload.PullRequest?.Head?.Sha,
        Payload = item.Body,
        ReceivedAt = now.UtcDateTime,
        Outcome = DeliveryOutcome.Pending,
    };

    internal static void Complete(DeliveryRecord delivery, DeliveryOutcome outcome, string reason, DateTimeOffset now)
    {
        delivery.Outcome = outcome;
        delivery.OutcomeReason = reason;
        delivery.CompletedAt = now.UtcDateTime;
    }

    /// <summary>The jobs of the PRs a batch touches: existing ones for the same heads, and queued ones to supersede.</summary>
    private sealed class JobIndex(List<ReviewJob> jobs)
    {
        private readonly List<long> _supersededIds = [];
        private readonly Dictionary<ReviewJob, List<DeliveryRecord>> _batchDeliveries = [];

        public static async Task<JobIndex> LoadAsync(NectrDb db, List<IntakeItem> reviews, CancellationToken cancellationToken)
        {
            if (reviews.Count == 0)
            {
                return new JobIndex([]);
            }

            var repos = reviews.Select(i => i.Payload.Repository!.FullName!).Distinct().ToList();
            var numbers = reviews.Select(i => i.Payload.PullRequest!.Number).Distinct().ToList();
            var shas = reviews.Select(i => i.Payload.PullRequest!.Head!.Sha!).Distinct().ToList();
            var candidates = await db.ReviewJobs
                .Where(j => repos.Contains(j.RepositoryFullName) && numbers.Contains(j.PullNumber) && (j.Status == JobStatus.Queued || shas.Contains(j.HeadSha)))
                .ToListAsync(cancellationToken);
            return new JobIndex(candidates);
        }

        /// <summary>The job for this head: an existing one (with a reason if it already finished), or a new queued one.</summary>
        public (ReviewJob Job, string? Reason) JobFor(NectrDb db, WebhookPayload payload, DateTimeOffset now)
        {
            var repo = payload.Repository!.FullName!;
            var number = payload.PullRequest!.Number;
            var sha = payload.PullRequest.Head!.Sha!;
            var existing = jobs.FirstOrDefault(j => j.RepositoryFullName == repo && j.PullNumber == number && j.HeadSha == sha);
            if (existing is not null)
            {
                var reason = existing.Status is JobStatus.Queued or JobStatus.Running
                    ? null
                    : $"head {IntakePolicy.Short(sha)} already handled by job {existing.Id} ({existing.Status.ToString().ToLowerInvariant()})";
                return (existing, reason);
            }

            // A newer head makes queued reviews of older heads pointless: skip them, and their deliveries with them.
            var supersededReason = $"superseded by newer head {IntakePolicy.Short(sha)}";
            foreach (var old in jobs.Where(j => j.RepositoryFullName == repo && j.PullNumber == number && j.Status == JobStatus.Queued))
            {
                old.Status = JobStatus.Skipped;
                old.OutcomeReason = supersededReason;
                old.UpdatedAt = now.UtcDateTime;
                old.CompletedAt = now.UtcDateTime;
                if (old.Id != 0)
                {
                    _supersededIds.Add(old.Id);
                }

                foreach (var delivery in _batchDeliveries.GetValueOrDefault(old) ?? [])
                {
                    Complete(delivery, DeliveryOutcome.Skipped, supersededReason, now);
                }
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
            jobs.Add(job);
            return (job, null);
        }

        public void Track(ReviewJob job, DeliveryRecord delivery)
        {
            if (!_batchDeliveries.TryGetValue(job, out var list))
            {
                _batchDeliveries[job] = list = [];
            }

            list.Add(delivery);
        }

        public async Task SkipDeliveriesOfSupersededAsync(NectrDb db, DateTimeOffset now, CancellationToken cancellationToken)
        {
            if (_supersededIds.Count == 0)
            {
                return;
            }

            var reasons = jobs.Where(j => _supersededIds.Contains(j.Id)).ToDictionary(j => j.Id, j => j.OutcomeReason);
            foreach (var (id, reason) in reasons)
            {
                await db.Deliveries
                    .Where(d => d.JobId == id && d.Outcome == DeliveryOutcome.Pending)
                    .ExecuteUpdateAsync(u => u
                        .SetProperty(d => d.Outcome, DeliveryOutcome.Skipped)
                        .SetProperty(d => d.OutcomeReason, reason)
                        .SetProperty(d => d.CompletedAt, now.UtcDateTime), cancellationToken);
            }
        }
    }
}
