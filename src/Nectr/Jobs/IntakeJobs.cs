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
/// <item>PostgreSQL (READ COMMITTED): a transaction-scoped advisory lock per pull request first, so intakes of one
/// PR in any process take turns and each sees the jobs the one before it queued; then <c>SELECT … FOR UPDATE</c>. A completion that locked the job first makes this
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
internal sealed partial class IntakeJobs
{
    private readonly List<ReviewJob> _jobs;
    private readonly DateTimeOffset _now;
    private readonly Queue<long> _ids;
    private readonly Dictionary<ReviewJob, List<DeliveryRecord>> _linked = [];
    private readonly List<ReviewJob> _new = [];
    private readonly List<(long Id, string Reason)> _superseded = [];

    private IntakeJobs(List<ReviewJob> jobs, IEnumerable<long> ids, DateTimeOffset now)
    {
        _jobs = jobs;
        _ids = new Queue<long>(ids);
        _now = now;
    }

    /// <summary>Jobs this intake queued (or stored skipped, superseded before they were written), with the ids reserved for them.</summary>
    public IReadOnlyList<ReviewJob> NewJobs => _new;

    /// <summary>Stored queued jobs this intake superseded, and why: <see cref="IntakeWrite"/> writes them.</summary>
    public IReadOnlyList<(long Id, string Reason)> Superseded => _superseded;

    /// <summary>When intake decided, and so the time its writes record.</summary>
    public DateTimeOffset Now => _now;

    /// <summary>
    /// Links a new delivery (not yet stored) to the job for its head: an unfinished one it then waits for, a finished
    /// one (settled at once: nothing will run for it again), or a new queued job, which supersedes the queued jobs of
    /// older heads of the same pull request.
    /// </summary>
    public void Link(DeliveryRecord delivery, JobKey head, JobRequest request)
    {
        var job = FindOrQueue(head, request);
        delivery.JobId = job.Id;
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
    /// for it when <paramref name="request"/> asks again. The caller writes it (<see cref="IntakeWrite"/>) and commits.
    /// </summary>
    public ReviewJob QueueReview(JobKey head, JobRequest request) => FindOrQueue(head, request);

    /// <summary>
    /// A PR comment command becomes a job of its own, which the delivery waits for like a review. It is keyed by its
    /// delivery (<see cref="CommandHead"/>), so it never meets, supersedes or is superseded by a review job.
    /// </summary>
    public void QueueCommand(DeliveryRecord delivery, string repository, int number, Commands.CommandRequest command)
    {
        var job = New(repository, number, CommandHead(delivery.DeliveryId), JobKind.Command);
        job.CommandJson = command.ToJson();
        job.RequestedBy = command.Author;
        delivery.JobId = job.Id;
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

    private ReviewJob FindOrQueue(JobKey head, JobRequest request)
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
            Supersede(old, reason);
        }

        var job = New(head.Repository, head.Number, head.HeadSha, JobKind.Review);
        job.Rerun = forHead.Count == 0 ? 0 : forHead.Max(j => j.Rerun) + 1;
        job.Full = request.Full;
        job.RequestedBy = request.RequestedBy;
        return job;
    }

    /// <summary>A queued job with the next reserved id, written by <see cref="IntakeWrite"/>.</summary>
    private ReviewJob New(string repository, int number, string headSha, JobKind kind)
    {
        if (!_ids.TryDequeue(out var id))
        {
            throw new InvalidOperationException("Intake queued more jobs than it reserved ids for.");
        }

        var job = new ReviewJob
        {
            Id = id,
            RepositoryFullName = repository,
            PullNumber = number,
            HeadSha = headSha,
            Kind = kind,
            Status = JobStatus.Queued,
            RunAfterMs = _now.ToUnixTimeMilliseconds(),
            CreatedAt = _now.UtcDateTime,
            UpdatedAt = _now.UtcDateTime,
        };
        _new.Add(job);
        _jobs.Add(job);
        return job;
    }

    /// <summary>Gives a new delivery (not yet stored) its terminal outcome before it is stored.</summary>
    public static void Settle(DeliveryRecord delivery, DeliveryOutcome outcome, string reason, DateTimeOffset now)
    {
        delivery.Outcome = outcome;
        delivery.OutcomeReason = reason;
        delivery.CompletedAt = now.UtcDateTime;
    }

    /// <summary>
    /// Queued → Skipped. A stored job is written so by <see cref="IntakeWrite"/>, with every delivery still waiting on it
    /// (the lock means nobody else moved it); a job created earlier in this batch is simply stored skipped. Either way
    /// the snapshot now says so, and the batch's own deliveries for it are stored settled.
    /// </summary>
    private void Supersede(ReviewJob old, string reason)
    {
        if (!_new.Contains(old))
        {
            _superseded.Add((old.Id, reason));
        }

        var now = _now.UtcDateTime;
        old.Status = JobStatus.Skipped;
        old.OutcomeReason = reason;
        old.UpdatedAt = now;
        old.CompletedAt = now;
        foreach (var delivery in _linked.GetValueOrDefault(old) ?? [])
        {
            Settle(delivery, DeliveryOutcome.Skipped, reason, _now);
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
