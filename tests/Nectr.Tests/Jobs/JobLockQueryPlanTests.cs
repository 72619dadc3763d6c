using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Jobs;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Jobs;

/// <summary>
/// Intake reads a pull request's queued jobs, and any for the heads it received, on every push. Each database must
/// answer that by index seeks on the queued jobs or the head, not by reading every job the PR ever had: with an OR
/// SQLite did the latter, and each push got slower than the last (issue #13: 572 req/s over 50 s, 1,616 with the
/// seeks); PostgreSQL, with statistics from when the table was small, looked heads up through a (PR, status) index,
/// filtering every job of the PR (12 ms a read after 78,000 pushes).
/// </summary>
public sealed class JobLockQueryPlanTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task On_SQLite_each_read_of_the_job_lock_seeks_the_queued_jobs_or_the_head_not_the_pull_request_alone()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);

        var plan = await ExplainAsync(app, postgres: false, "EXPLAIN QUERY PLAN ", reader => reader.GetString(reader.GetOrdinal("detail")));

        // The query reads review_jobs and the lists of values (json_each); every table access is a SEARCH or a SCAN line.
        var reads = plan.Where(d => (d.StartsWith("SEARCH ", StringComparison.Ordinal) || d.StartsWith("SCAN ", StringComparison.Ordinal))
            && !d.Contains("json_each", StringComparison.Ordinal)).ToList();
        Assert.True(reads.Count == 2, "expected two reads of review_jobs, the plan is:\n" + string.Join('\n', plan));
        Assert.All(reads, read =>
        {
            Assert.Matches(@"^SEARCH \w+ USING INDEX IX_review_jobs_", read);
            Assert.True(read.Contains("Status=?", StringComparison.Ordinal) || read.Contains("IX_review_jobs_queued_per_pr", StringComparison.Ordinal)
                || read.Contains("HeadSha=?", StringComparison.Ordinal),
                $"a read of the jobs narrows by pull request only: {read}\nplan:\n{string.Join('\n', plan)}");
        });
    }

    [Fact]
    public async Task On_PostgreSQL_heads_are_found_by_the_unique_index_even_with_statistics_from_an_empty_table()
    {
        await using var database = await TestDatabase.CreateAsync("postgres");
        await using var app = new NectrApp(database);
        await app.QueryAsync(async db =>
        {
            // Statistics say the table is empty, as they did while the benchmark's PR grew to thousands of jobs.
            await db.Database.ExecuteSqlRawAsync("ANALYZE review_jobs", Ct);
            var at = new DateTime(2026, 12, 3, 9, 0, 0, DateTimeKind.Utc);
            db.ReviewJobs.AddRange(Enumerable.Range(0, 3000).Select(i => new ReviewJob
            {
                RepositoryFullName = "octo-org/payments",
                PullNumber = 31,
                HeadSha = i.ToString("x40", System.Globalization.CultureInfo.InvariantCulture),
                Status = i == 2999 ? JobStatus.Queued : JobStatus.Skipped,
                CreatedAt = at,
                UpdatedAt = at,
            }));
            return await db.SaveChangesAsync(Ct);
        });

        var plan = await ExplainAsync(app, postgres: true, "EXPLAIN ", reader => reader.GetString(0));

        var text = string.Join('\n', plan);
        Assert.Contains("IX_review_jobs_queued_per_pr", text, StringComparison.Ordinal);
        Assert.Contains("IX_review_jobs_RepositoryFullName_PullNumber_HeadSha_Rerun", text, StringComparison.Ordinal);
        Assert.DoesNotContain(plan, line => line.Contains("Filter:", StringComparison.Ordinal) && line.Contains("HeadSha", StringComparison.Ordinal));
        Assert.DoesNotContain(plan, line => line.Contains("Seq Scan", StringComparison.Ordinal));
    }

    private static Task<List<string>> ExplainAsync(NectrApp app, bool postgres, string explain, Func<System.Data.Common.DbDataReader, string> read) =>
        app.QueryAsync(async db =>
        {
            await using var script = new SqlScript(db);
            IntakeJobs.AppendLockQuery(script.Sql(explain), postgres, [new("octo-org/payments", 31, "c0ffee1e"), new("octo-org/payments", 31, "deadbeef")]);
            await using var reader = await script.ExecuteReaderAsync(Ct);
            var lines = new List<string>();
            while (await reader.ReadAsync(Ct))
            {
                lines.Add(read(reader));
            }

            return lines;
        });
}
