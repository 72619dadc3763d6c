using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Polly;
using Polly.Retry;

namespace Nectr.Data;

/// <summary>
/// Write conflicts between processes (a unique index refused a row another process committed between our read and
/// our write) are not faults to back off from: trying again at once sees the other row and acts on it. One Polly
/// pipeline shape for every such place, instead of a loop in each.
/// </summary>
internal static class WriteConflicts
{
    /// <summary>Retries <paramref name="retries"/> times, at once, when an attempt throws what <paramref name="isConflict"/> accepts.</summary>
    public static ResiliencePipeline RetryAtOnce(int retries, Func<Exception, bool> isConflict) => new ResiliencePipelineBuilder()
        .AddRetry(new RetryStrategyOptions
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } ex && isConflict(ex)),
            MaxRetryAttempts = retries,
            Delay = TimeSpan.Zero,
        })
        .Build();

    /// <summary>EF Core's wrapper of a refused write, or the provider's own exception.</summary>
    public static bool IsRefusedWrite(Exception ex) => ex is DbUpdateException or DbException;

    /// <summary>A unique index refused the row: PostgreSQL's unique_violation, or SQLite's constraint message.</summary>
    public static bool IsUniqueViolation(Exception ex) => ex is DbException db
        && (db.SqlState == "23505" || db.Message.Contains("UNIQUE constraint failed", StringComparison.Ordinal));
}
