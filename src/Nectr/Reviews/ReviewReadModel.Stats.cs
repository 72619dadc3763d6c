using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;

namespace Nectr.Reviews;

/// <summary>Reviews per UTC day, oldest first, every day present (zero when none).</summary>
internal sealed record DayCount(DateOnly Day, int Reviews);

internal sealed record VerdictMix(int Approve, int RequestChanges, int NeedsDiscussion);

internal sealed record ReviewStatsView(int Days, int Total, IReadOnlyList<DayCount> PerDay, VerdictMix Verdicts);

internal sealed partial class ReviewReadModel
{
    public const int MaxStatsDays = 366;

    /// <summary>Reviews per day over the last <paramref name="days"/> UTC days including today, and their verdict mix.</summary>
    public async Task<ReviewStatsView> StatsAsync(long userId, int days, CancellationToken cancellationToken)
    {
        days = Math.Clamp(days, 1, MaxStatsDays);
        var today = DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime);
        var first = today.AddDays(1 - days);
        var since = first.ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // Two small columns per review, grouped here: day arithmetic on dates differs between SQLite and PostgreSQL,
        // and a month of one user's reviews is small.
        var rows = await VisibleReviews(db, userId)
            .Where(r => r.CreatedAt >= since)
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

    /// <summary>How many repositories the user can see, and how many of those are connected.</summary>
    public async Task<(int Visible, int Connected)> RepositoryCountsAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var visible = db.VisibleTo(userId);
        return (await visible.CountAsync(cancellationToken),
            await db.Repositories.CountAsync(r => r.Connected && visible.Contains(r.FullName), cancellationToken));
    }
}
