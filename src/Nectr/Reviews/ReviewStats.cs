using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;

namespace Nectr.Reviews;

/// <summary>Reviews per UTC day, oldest first, every day present (zero when none).</summary>
internal sealed record DayCount(DateOnly Day, int Reviews);

internal sealed record VerdictMix(int Approve, int RequestChanges, int NeedsDiscussion);

internal sealed record ReviewStatsView(int Days, int Total, IReadOnlyList<DayCount> PerDay, VerdictMix Verdicts);

/// <summary>The dashboard home's numbers, scoped like every other read (<see cref="RepositoryScope"/>).</summary>
internal sealed class ReviewStats(IDbContextFactory<NectrDb> dbs, TimeProvider time)
{
    public const int MaxDays = 366;

    /// <summary>Reviews per day over the last <paramref name="days"/> UTC days including today, and their verdict mix.</summary>
    public async Task<ReviewStatsView> ForUserAsync(long userId, int days, CancellationToken cancellationToken)
    {
        days = Math.Clamp(days, 1, MaxDays);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var since = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // Two small columns per review, grouped here: day arithmetic on dates differs between SQLite and PostgreSQL,
        // and a month of one user's reviews is small.
        var rows = await db.Reviews.AsNoTracking()
            .Where(r => r.CreatedAt >= since && db.VisibleTo(userId).Contains(r.RepositoryFullName))
            .Select(r => new { r.CreatedAt, r.Verdict })
            .ToListAsync(cancellationToken);

        var perDay = rows.GroupBy(r => DateOnly.FromDateTime(r.CreatedAt)).ToDictionary(g => g.Key, g => g.Count());
        var series = Enumerable.Range(0, days).Select(i => first.AddDays(i)).Select(d => new DayCount(d, perDay.GetValueOrDefault(d))).ToList();
        var mix = new VerdictMix(
            rows.Count(r => r.Verdict == StoredVerdict.Approve),
            rows.Count(r => r.Verdict == StoredVerdict.RequestChanges),
            rows.Count(r => r.Verdict == StoredVerdict.NeedsDiscussion));
        return new ReviewStatsView(days, rows.Count, series, mix);
    }
}
