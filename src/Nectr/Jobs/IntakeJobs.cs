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
internal sealed class IntakeJobs
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

    /// <summary>Reads and locks the jobs of <paramref name="heads"/>' pull requests: queued ones, and any for the same heads.</summary>
    public static async Task<IntakeJobs> LockAsync(NectrDb db, IReadOnlyCollection<JobKey> heads, DateTimeOffset now, CancellationToken cancellationToken) =>
        (await ReadAsync(db, [], heads, 1, now, cancellationToken)).Jobs;

    /// <summary>
    /// One command (one round trip on PostgreSQL) at the start of intake's transaction: which of
    /// <paramref name="deliveryIds"/> are stored already, the jobs of <paramref name="heads"/>' pull requests, locked
    /// (queued ones and any for the same heads), and ids for up to <paramref name="newJobs"/> new jobs, so the jobs and
    /// the deliveries linked to them are written together in one more command (<see cref="IntakeWrite"/>).
    /// PostgreSQL reserves the ids from the jobs' identity sequence (gaps are harmless); SQLite takes the ones after
    /// the table's AUTOINCREMENT counter, which no other writer can move while this transaction holds the write lock.
    /// </summary>
    public static async Task<(HashSet<string> Known, IntakeJobs Jobs)> ReadAsync(NectrDb db, IReadOnlyCollection<string> deliveryIds,
        IReadOnlyCollection<JobKey> heads, int newJobs, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var known = new HashSet<string>(StringComparer.Ordinal);
        var jobs = new List<ReviewJob>();
        var ids = new List<long>();
        var postgres = db.Database.IsNpgsql();
        await using var script = new SqlScript(db);
        if (deliveryIds.Count > 0)
        {
            script.Sql("SELECT \"DeliveryId\" AS known FROM deliveries WHERE \"DeliveryId\"");
            In(script, postgres, deliveryIds.ToArray());
            script.Sql(";\n");
        }

        if (heads.Count > 0)
        {
            if (postgres)
            {
                AppendPullRequestLocks(script, heads);
            }

            AppendLockQuery(script, postgres, heads);
        }

        if (newJobs > 0)
        {
            script.Sql(postgres
                ? "SELECT nextval(pg_get_serial_sequence('review_jobs', 'Id')) AS next_id FROM generate_series(1, " + newJobs.ToString(System.Globalization.CultureInfo.InvariantCulture) + ");\n"
                : "SELECT coalesce((SELECT seq FROM sqlite_sequence WHERE name = 'review_jobs'), 0) AS last_id;\n");
        }

        if (script.IsEmpty)
        {
            return (known, new IntakeJobs(jobs, ids, now));
        }

        await using (var reader = await script.ExecuteReaderAsync(cancellationToken))
        {
            do
            {
                var set = reader.FieldCount == 0 ? "" : reader.GetName(0);
                while (await reader.ReadAsync(cancellationToken))
                {
                    switch (set)
                    {
                        case "pr_lock":
                            break;
                        case "known":
                            known.Add(reader.GetString(0));
                            break;
                        case "next_id":
                            ids.Add(reader.GetInt64(0));
                            break;
                        case "last_id":
                            var last = reader.GetInt64(0);
                            ids.AddRange(Enumerable.Range(1, newJobs).Select(i => last + i));
                            break;
                        default:
                            jobs.Add(ReadJob(reader));
                            break;
                    }
                }
            }
            while (await reader.NextResultAsync(cancellationToken));
        }

        return (known, new IntakeJobs(jobs, ids, now));
    }

    /// <summary>The columns intake decides from; the snapshot is never saved, so the rest is not read.</summary>
    private const string JobColumns = "\"Id\", \"RepositoryFullName\", \"PullNumber\", \"HeadSha\", \"Kind\", \"Status\", \"Rerun\"";

    private static ReviewJob ReadJob(System.Data.Common.DbDataReader reader) => new()
    {
        Id = reader.GetInt64(0),
        RepositoryFullName = reader.GetString(1),
        PullNumber = reader.GetInt32(2),
        HeadSha = reader.GetString(3),
        Kind = (JobKind)reader.GetInt32(4),
        Status = (JobStatus)reader.GetInt32(5),
        Rerun = reader.GetInt32(6),
    };

    /// <summary>
    /// PostgreSQL: one intake at a time per pull request, in every process. The job lock covers only jobs that exist,
    /// so two intakes of new heads of one PR each queued a job without seeing the other's; the job read's snapshot
    /// is taken after this wait, so it sees what the other intake committed. Locks are taken in key order, so two
    /// batches of the same pull requests cannot deadlock. SQLite's write lock already is one at a time.
    /// </summary>
    private static void AppendPullRequestLocks(SqlScript script, IReadOnlyCollection<JobKey> heads)
    {
        var prs = heads.Select(h => (h.Repository, h.Number)).Distinct().ToArray();
        script.Sql("SELECT pg_advisory_xact_lock(k) AS pr_lock FROM (SELECT DISTINCT hashtextextended(r || '#' || n, 0) AS k FROM unnest(")
            .Value(prs.Select(p => p.Repository).ToArray()).Sql(", ").Value(prs.Select(p => p.Number).ToArray())
            .Sql(") AS u(r, n)) AS keys ORDER BY k;\n");
    }

    /// <summary>
    /// The read of the jobs intake decides from, locked:
    /// <list type="bullet">
    /// <item>PostgreSQL: <c>FOR UPDATE</c>, in id order, so two intakes of the same pull requests cannot deadlock. Two
    /// index seeks find the ids (the PRs' queued jobs through the partial index of queued jobs, the heads through the
    /// unique key) and the locking read takes them. The planner, with statistics from when the table was small, did
    /// otherwise: an OR became a bitmap scan of every queued-status entry (a bitmap scan never marks a superseded job's
    /// entry dead, so each push read more of them), and one array per key column left all but the first to a filter
    /// over every job the PR ever had (12 ms a read after 78,000 pushes; <c>JobLockQueryPlanTests</c>). A job that
    /// changed while this waited for its lock is returned as it is now (finished, say), which intake handles like any
    /// finished job.</item>
    /// <item>SQLite (a write transaction already excludes every other writer): two index seeks, by status and by
    /// (PR, head), instead of one OR that SQLite can only answer by reading every job the pull request ever had, which
    /// made each push slower than the last (<c>JobLockQueryPlanTests</c>).</item>
    /// </list>
    /// </summary>
    internal static void AppendLockQuery(SqlScript script, bool postgres, IReadOnlyCollection<JobKey> heads)
    {
        var queued = (int)JobStatus.Queued;
        if (postgres)
        {
            // Exact keys joined to the table, so every key column is an index condition.
            var prs = heads.Select(h => (h.Repository, h.Number)).Distinct().ToArray();
            script.Sql($"SELECT {JobColumns} FROM review_jobs WHERE \"Id\" = ANY(ARRAY(SELECT j.\"Id\" FROM unnest(").Value(prs.Select(p => p.Repository).ToArray())
                .Sql(", ").Value(prs.Select(p => p.Number).ToArray())
                .Sql($") AS k(r, n) JOIN review_jobs j ON j.\"RepositoryFullName\" = k.r AND j.\"PullNumber\" = k.n AND j.\"Status\" = {queued}")
                .Sql(" UNION SELECT j.\"Id\" FROM unnest(").Value(heads.Select(h => h.Repository).ToArray())
                .Sql(", ").Value(heads.Select(h => h.Number).ToArray())
                .Sql(", ").Value(heads.Select(h => h.HeadSha).ToArray())
                .Sql(") AS k(r, n, h) JOIN review_jobs j ON j.\"RepositoryFullName\" = k.r AND j.\"PullNumber\" = k.n AND j.\"HeadSha\" = k.h")
                .Sql(")) ORDER BY \"Id\" FOR UPDATE;\n");
            return;
        }

        var repos = heads.Select(h => h.Repository).Distinct().ToArray();
        var numbers = heads.Select(h => h.Number).Distinct().ToArray();
        var shas = heads.Select(h => h.HeadSha).Distinct().ToArray();
        script.Sql($"SELECT {JobColumns} FROM review_jobs WHERE \"RepositoryFullName\"");
        In(script, false, repos);
        script.Sql(" AND \"PullNumber\"");
        In(script, false, numbers);
        script.Sql($" AND \"Status\" = {queued}\nUNION\nSELECT {JobColumns} FROM review_jobs WHERE \"RepositoryFullName\"");
        In(script, false, repos);
        script.Sql(" AND \"PullNumber\"");
        In(script, false, numbers);
        script.Sql(" AND \"HeadSha\"");
        In(script, false, shas);
        script.Sql(";\n");
    }

    /// <summary><c>= ANY(array)</c> on PostgreSQL; on SQLite one JSON array parameter, so the list costs one binding, not one per value.</summary>
    private static void In<T>(SqlScript script, bool postgres, T[] values)
    {
        if (postgres)
        {
            script.Sql(" = ANY(").Value(values).Sql(")");
        }
        else
        {
            script.Sql(" IN (SELECT value FROM json_each(").Value(System.Text.Json.JsonSerializer.Serialize(values)).Sql("))");
        }
    }

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
