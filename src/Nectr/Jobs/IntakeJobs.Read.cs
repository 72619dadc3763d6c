using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Jobs;

// The read at the start of intake's transaction: duplicates, the locked jobs and reserved job ids, in one command.
internal sealed partial class IntakeJobs
{
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
}
