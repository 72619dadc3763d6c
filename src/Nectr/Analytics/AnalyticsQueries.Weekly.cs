using Microsoft.EntityFrameworkCore;

namespace Nectr.Analytics;

internal sealed partial class AnalyticsQueries
{
    /// <summary>How many weeks <see cref="WeeklyActivityAsync"/> gives (the Team page's sparklines).</summary>
    public const int ActivityWeeks = 12;

    /// <summary>
    /// Per PR author of <paramref name="repo"/>, the reviews of their pull requests in each of the last
    /// <see cref="ActivityWeeks"/> weeks (seven UTC days each, the last ending today; oldest first). Authors are the
    /// knowledge index's, as in <see cref="ContributorStatsAsync"/>: bots and PRs without a known author are left out.
    /// Authors without a review in those weeks are absent. Null when the user cannot see the repository.
    /// </summary>
    public async Task<WeeklyActivityView?> WeeklyActivityAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        if (await VisibleRepositoryAsync(userId, repo, cancellationToken) is not { } name)
        {
            return null;
        }

        const int days = ActivityWeeks * 7;
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // Bucketed here: day arithmetic on dates differs between SQLite and PostgreSQL (as in TimelineAsync).
        var rows = await Reviews(db, userId, new AnalyticsFilter(name, null, days))
            .Select(r => new
            {
                r.CreatedAt,
                Author = db.PullRequests.Where(p => p.RepositoryFullName == r.RepositoryFullName && p.Number == r.PullNumber && !p.AuthorIsBot && p.AuthorLogin != "")
                    .Select(p => p.AuthorLogin).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var first = FirstDay(days);
        var people = rows.Where(r => r.Author is not null).GroupBy(r => r.Author!, StringComparer.Ordinal)
            .Select(g =>
            {
                var weeks = new int[ActivityWeeks];
                foreach (var review in g)
                {
                    weeks[Math.Clamp((DateOnly.FromDateTime(review.CreatedAt).DayNumber - first.DayNumber) / 7, 0, ActivityWeeks - 1)]++;
                }

                return new PersonWeeks(g.Key, weeks);
            })
            .OrderByDescending(p => p.Reviews.Sum()).ThenBy(p => p.Login, StringComparer.Ordinal)
            .Take(MaxContributors).ToList();
        return new WeeklyActivityView(name, first, people);
    }
}
