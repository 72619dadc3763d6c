using Nectr.Data;
using Nectr.Jobs;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Jobs;

/// <summary>
/// Intake reads a pull request's queued jobs, and any for the heads it received, on every push. SQLite must answer
/// that by index seeks on the status or the head, not by reading every job the PR ever had: with an OR it did the
/// latter, and each push got slower than the last (issue #13: 572 req/s over 50 s, 1,616 with the seeks).
/// </summary>
public sealed class JobLockQueryPlanTests
{
    [Fact]
    public async Task Each_read_of_the_job_lock_seeks_by_status_or_head_not_by_pull_request_alone()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);

        var plan = await app.QueryAsync(async db =>
        {
            await using var script = new SqlScript(db);
            IntakeJobs.AppendLockQuery(script.Sql("EXPLAIN QUERY PLAN "), postgres: false, ["octo-org/payments"], [31], ["c0ffee1e", "deadbeef"]);
            await using var reader = await script.ExecuteReaderAsync(TestContext.Current.CancellationToken);
            var details = new List<string>();
            while (await reader.ReadAsync(TestContext.Current.CancellationToken))
            {
                details.Add(reader.GetString(reader.GetOrdinal("detail")));
            }

            return details;
        });

        // The query reads review_jobs and the lists of values (json_each); every table access is a SEARCH or a SCAN line.
        var reads = plan.Where(d => (d.StartsWith("SEARCH ", StringComparison.Ordinal) || d.StartsWith("SCAN ", StringComparison.Ordinal))
            && !d.Contains("json_each", StringComparison.Ordinal)).ToList();
        Assert.True(reads.Count == 2, "expected two reads of review_jobs, the plan is:\n" + string.Join('\n', plan));
        Assert.All(reads, read =>
        {
            Assert.Matches(@"^SEARCH \w+ USING INDEX IX_review_jobs_", read);
            Assert.True(read.Contains("Status=?", StringComparison.Ordinal) || read.Contains("HeadSha=?", StringComparison.Ordinal),
                $"a read of the jobs narrows by pull request only: {read}\nplan:\n{string.Join('\n', plan)}");
        });
    }
}
