using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Jobs;

/// <summary>The head a reviewing delivery asks for: one job per (repository, PR, head SHA).</summary>
internal readonly record struct JobKey(string Repository, int Number, string HeadSha);

/// <summary>
/// How a review was asked for. A push asks once per head (<see cref="Push"/>). A person can ask again for a head
/// already reviewed (<see cref="Again"/>: a command, a check run's re-run button): that is a new job with the next
/// rerun number unless one for the head is still queued or running. <see cref="Full"/> reviews every file rather than
/// only what changed since the last reviewed head.
/// </summary>
internal sealed record JobRequest(bool Again, bool Full, string? RequestedBy)
{
    public static JobRequest Push { get; } = new(false, false, null);
}

/// <summary>
/// The jobs of the pull requests one intake transaction touches, and the only code that links a delivery to a job
/// or supersedes a queued job. Its rows are locked for the whole transaction, so what intake decides from them stays
/// true until it commits:
/// <list type="bullet">
/// <item>PostgreSQL (READ COMMITTED): <c>SELECT … FOR UPDATE</c>. A completion that locked the job first makes this
/// wait and then see the job finished, so the delivery is settled "already handled". A completion that comes second
/// waits for this commit, and its next statement (a new snapshot) finds the linked delivery still pending and gives
/// it the job's outcome. A claim skips locked rows, so a job being superseded cannot start meanwhile.</item>
/// <item>SQLite has one writer: intake and the queue pass <see cref="DbWriteGate"/> in this process, and the
/// transaction begins IMMEDIATE (Microsoft.Data.Sqlite's default), which takes the database's write lock before
/// the first read, so no other process writes in between either.</item>
/// </list>
/// Rows are read untracked: a job changes only through a conditional update here or in <see cref="JobQueue"/>,
/// never by saving an entity someone else may have changed.
/// </summary>
internal sealed class IntakeJobs
{
    private readonly NectrDb _db;
    private readonly List<ReviewJob> _jobs;
    private readonly DateTimeOffset _now;
    private readonly Dictionary<ReviewJob, List<DeliveryRecord>> _linked = [];

    private IntakeJobs(NectrDb db, List<ReviewJob> jobs, DateTimeOffset now)
    {
        _db = db;
        _jobs = jobs;
        _now = now;
    }

    /// <summary>Reads and locks the jobs of <paramref name="heads"/>' pull requests: queued ones, and any for the same heads.</summary>
    public static async Task<IntakeJobs> LockAsync(NectrDb db, IReadOnlyCollection<JobKey> heads, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (heads.Count == 0)
        {
            return new IntakeJobs(db, [], now);
        }

        var repos = heads.Select(h => h.Repository).Distinct().ToArray();
        var numbers = heads.Select(h => h.Number).Distinct().ToArray();
        var shas = heads.Select(h => h.HeadSha).Distinct().ToArray();
        var queued = (int)JobStatus.Queued;
        var jobs = db.Database.IsNpgsql()
            // Locked in id order, so two intakes of the same pull requests cannot deadlock.
            ? await db.ReviewJobs.FromSql($"""
                SELECT * FROM review_jobs
                WHERE "RepositoryFullName" = ANY({repos}) AND "PullNumber" = ANY({numbers})
                  AND ("Status" = {queued} OR "HeadSha" = ANY({shas}))
                ORDER BY "Id"
                FOR UPDATE
                """).AsNoTracking().ToListAsync(cancellationToken)
            : await SqliteLockQuery(db, repos, numbers, shas).ToListAsync(cancellationToken);
        return new IntakeJobs(db, jobs, now);
    }

    /// <summary>
    /// SQLite's read of the jobs intake decides from (a write transaction already excludes every other writer): two
    /// index seeks, by (PR, status) and by (PR, head), instead of one OR that SQLite can only answer by reading every
    /// job the pull request ever had, which made each push slower than the last (<c>JobLockQueryPlanTests</c>).
    /// </summary>
    internal static IQueryable<ReviewJob> SqliteLockQuery(NectrDb db, string[] repos, int[] numbers, string[] shas) =>
        db.ReviewJobs.AsNoTracking()
            .Where(j => repos.Contains(j.RepositoryFullName) && numbers.Contains(j.PullNumber) && j.Status == JobStatus.Queued)
            .Union(db.ReviewJobs.AsNoTracking()
                .Where(j => repos.Contains(j.RepositoryFullName) && numbers.Contains(j.PullNumber) && shas.Contains(j.HeadSha)));

    /// <summary>
    /// Links a new delivery (added, not yet saved) to the job for its head: an unfinished one it then waits for, a
    /// finished one (settled at once: nothing will run for it again), or a new queued job, which supersedes the queued
    /// jobs of older heads of the same pull request.
    /// </summary>
    public async Task LinkAsync(DeliveryRecord delivery, JobKey head, CancellationToken cancellationToken) =>
        await LinkAsync(delivery, head, JobRequest.Push, cancellationToken);

    /// <inheritdoc cref="LinkAsync(DeliveryRecord, JobKey, CancellationToken)"/>
    public async Task LinkAsync(DeliveryRecord delivery, JobKey head, JobRequest request, CancellationToken cancellationToken)
    {
        var job = await FindOrQueueAsync(head, request, cancellationToken);
        Attach(delivery, job);
        if (job.Status is JobStatus.Queued or JobStatus.Running)
        {
            Wait(job, delivery);
        }
        else
        {
            Settle(delivery, DeliveryOutcome.Skipped,
                $"head {Short(head.HeadSha)} already handled by job {job.Id} ({job.Status.ToString().ToLowerInvariant()})", _now);
        }
    }

    /// <summary>
    /// A review asked for outside intake, with no delivery of its own (a PR comment command): the job that will review
    /// <paramref name="head"/>, queued now (superseding older heads' queued reviews), or the one already queued or running
    /// for it when <paramref name="request"/> asks again. The caller saves and commits.
    /// </summary>
    public Task<ReviewJob> QueueReviewAsync(JobKey head, JobRequest request, CancellationToken cancellationToken) =>
        FindOrQueueAsync(head, request, cancellationToken);

    /// <summary>
    /// A PR comment command becomes a job of its own, which the delivery waits for like a review. It is keyed by its
    /// delivery (<see cref="CommandHead"/>), so it never meets, supersedes or is superseded by a review job.
    /// </summary>
    public void QueueCommand(DeliveryRecord delivery, string repository, int number, Commands.CommandRequest command)
    {
        var job = new ReviewJob
        {
            RepositoryFullName = repository,
            PullNumber = number,
            HeadSha = CommandHead(delivery.DeliveryId),
            Kind = JobKind.Command,
            CommandJson = command.ToJson(),
            RequestedBy = command.Author,
            Status = JobStatus.Queued,
            RunAfterMs = _now.ToUnixTimeMilliseconds(),
            CreatedAt = _now.UtcDateTime,
            UpdatedAt = _now.UtcDateTime,
        };
        _db.ReviewJobs.Add(job);
        _jobs.Add(job);
        Attach(delivery, job);
        Wait(job, delivery);
    }

    /// <summary><c>command:&lt;delivery id&gt;</c>; an id too long for the column (GitHub sends GUIDs) is hashed instead.</summary>
    internal static string CommandHead(string deliveryId)
    {
        const string prefix = "command:";
        return prefix.Length + deliveryId.Length <= 64
            ? prefix + deliveryId
            : prefix + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(deliveryId)))[..(64 - prefix.Length)];
    }

    private async Task<ReviewJob> FindOrQueueAsync(JobKey head, JobRequest request, CancellationToken cancellationToken)
    {
        var forHead = _jobs.Where(j => j.Kind == JobKind.Review && j.RepositoryFullName == head.Repository && j.PullNumber == head.Number && j.HeadSha == head.HeadSha).ToList();
        var existing = request.Again
            ? forHead.FirstOrDefault(j => j.Status is JobStatus.Queued or JobStatus.Running)
            : forHead.FirstOrDefault();
        if (existing is not null)
        {
            return existing;
        }

        var reason = $"superseded by newer head {Short(head.HeadSha)}";
        foreach (var old in _jobs.Where(j => j.Kind == JobKind.Review && j.RepositoryFullName == head.Repository && j.PullNumber == head.Number
            && j.Status == JobStatus.Queued && j.HeadSha != head.HeadSha).ToList())
        {
            await SupersedeAsync(old, reason, cancellationToken);
        }

        var job = new ReviewJob
        {
            RepositoryFullName = head.Repository,
            PullNumber = head.Number,
            HeadSha = head.HeadSha,
            Kind = JobKind.Review,
            Rerun = forHead.Count == 0 ? 0 : forHead.Max(j => j.Rerun) + 1,
            Full = request.Full,
            RequestedBy = request.RequestedBy,
            Status = JobStatus.Queued,
            RunAfterMs = _now.ToUnixTimeMilliseconds(),
            CreatedAt = _now.UtcDateTime,
            UpdatedAt = _now.UtcDateTime,
        };
        _db.ReviewJobs.Add(job);
        _jobs.Add(job);
        return job;
    }

    /// <summary>Gives a new delivery (added, not yet saved) its terminal outcome before it is stored.</summary>
    public static void Settle(DeliveryRecord delivery, DeliveryOutcome outcome, string reason, DateTimeOffset now)
    {
        delivery.Outcome = outcome;
        delivery.OutcomeReason = reason;
        delivery.CompletedAt = now.UtcDateTime;
    }

    /// <summary>Queued → Skipped, with every delivery still waiting on the job; the lock means nobody else moved it.</summary>
    private async Task SupersedeAsync(ReviewJob old, string reason, CancellationToken cancellationToken)
    {
        var now = _now.UtcDateTime;
        if (old.Id != 0)
        {
            var rows = await _db.ReviewJobs
                .Where(j => j.Id == old.Id && j.Status == JobStatus.Queued)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(j => j.Status, JobStatus.Skipped)
                    .SetProperty(j => j.OutcomeReason, reason)
                    .SetProperty(j => j.UpdatedAt, now)
                    .SetProperty(j => j.CompletedAt, now), cancellationToken);
            if (rows != 1)
            {
                // Only possible if the row was not locked after all; intake stores the batch again from fresh reads.
                throw new DbUpdateConcurrencyException($"Job {old.Id} left the queue while intake was superseding it.");
            }

            await _db.Deliveries
                .Where(d => d.JobId == old.Id && d.Outcome == DeliveryOutcome.Pending)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(d => d.Outcome, DeliveryOutcome.Skipped)
                    .SetProperty(d => d.OutcomeReason, reason)
                    .SetProperty(d => d.CompletedAt, now), cancellationToken);
        }

        // A job created earlier in this batch is simply stored skipped; either way the snapshot now says so, and the
        // batch's own deliveries for it are stored settled.
        old.Status = JobStatus.Skipped;
        old.OutcomeReason = reason;
        old.UpdatedAt = now;
        old.CompletedAt = now;
        foreach (var delivery in _linked.GetValueOrDefault(old) ?? [])
        {
            Settle(delivery, DeliveryOutcome.Skipped, reason, _now);
        }
    }

    /// <summary>Stored rows are linked by key only: attaching an untracked snapshot would let a save overwrite the job.</summary>
    private static void Attach(DeliveryRecord delivery, ReviewJob job)
    {
        if (job.Id == 0)
        {
            delivery.Job = job;
        }
        else
        {
            delivery.JobId = job.Id;
        }
    }

    private void Wait(ReviewJob job, DeliveryRecord delivery)
    {
        if (!_linked.TryGetValue(job, out var list))
        {
            _linked[job] = list = [];
        }

        list.Add(delivery);
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;
}
