using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Tests.Data;

public sealed class WriteConflictsTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_conflict_is_tried_again_at_once_and_the_next_attempt_wins()
    {
        var attempts = 0;
        var pipeline = WriteConflicts.RetryAtOnce(2, WriteConflicts.IsRefusedWrite);

        var result = await pipeline.ExecuteAsync(_ => ++attempts < 3 ? throw new DbUpdateException("duplicate key") : ValueTask.FromResult("stored"), Ct);

        Assert.Equal(("stored", 3), (result, attempts));
    }

    [Fact]
    public async Task Conflicts_beyond_the_retries_reach_the_caller()
    {
        var attempts = 0;
        var pipeline = WriteConflicts.RetryAtOnce(1, WriteConflicts.IsRefusedWrite);

        await Assert.ThrowsAsync<DbUpdateException>(async () => await pipeline.ExecuteAsync<int>(_ => { attempts++; throw new DbUpdateException("duplicate key"); }, Ct));

        Assert.Equal(2, attempts);
    }

    [Fact]
    public async Task Anything_but_a_conflict_is_not_retried()
    {
        var attempts = 0;
        var pipeline = WriteConflicts.RetryAtOnce(4, WriteConflicts.IsUniqueViolation);

        await Assert.ThrowsAsync<DbUpdateException>(async () => await pipeline.ExecuteAsync<int>(_ => { attempts++; throw new DbUpdateException("not a unique violation"); }, Ct));

        Assert.Equal(1, attempts);
    }

    [Fact]
    public void A_unique_violation_is_recognised_on_both_providers()
    {
        Assert.True(WriteConflicts.IsUniqueViolation(new Microsoft.Data.Sqlite.SqliteException("SQLite Error 19: 'UNIQUE constraint failed: review_jobs.repository_full_name'.", 19)));
        Assert.True(WriteConflicts.IsUniqueViolation(new Npgsql.PostgresException("duplicate key value violates unique constraint", "ERROR", "ERROR", "23505")));
        Assert.False(WriteConflicts.IsUniqueViolation(new Npgsql.PostgresException("deadlock detected", "ERROR", "ERROR", "40P01")));
    }
}
