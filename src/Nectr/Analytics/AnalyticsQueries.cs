using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Knowledge;
using Nectr.Reviews;

namespace Nectr.Analytics;

/// <summary>
/// The one set of analytics queries: the <c>/api/v1/analytics</c> endpoints, the MCP server's tools and the dashboard's
/// Analytics and Team pages call these, so they cannot disagree. Everything is counted from stored rows (reviews,
/// their findings and verdicts, jobs, the knowledge index, memories), never from review Markdown. Every method takes the
/// caller's user id and starts from <see cref="RepositoryScope.VisibleTo"/> (through
/// <see cref="ReviewReadModel.VisibleReviews"/> for reviews): a repository the user cannot see is answered as absent
/// (null), never counted. Periods are whole UTC days ending today. Scoped: the graph asks GitHub through the request's
/// <see cref="IGitHubApi"/>.
/// </summary>
internal sealed partial class AnalyticsQueries(IDbContextFactory<NectrDb> dbs, KnowledgeAnalytics knowledge, GitHubContributorStats gitHubStats, TimeProvider time)
{
    public const int DefaultDays = 30;
    public const int MaxDays = ReviewReadModel.MaxStatsDays;

    /// <summary>The periods the timeline draws.</summary>
    public static readonly IReadOnlyList<int> TimelineDays = [7, 30, 90];

    /// <summary>Insights without a repository look at the files of at most this many visible repositories (the most reviewed).</summary>
    public const int MaxRepositoriesPerInsight = 10;

    /// <summary>Rows in each ranking (categories, hotspots, …).</summary>
    public const int Top = 10;

    /// <summary>
    /// The repository's full name as stored, when the user may see it (owner/name, any case); null otherwise, which
    /// callers answer as "not found" so a private repository's existence is not confirmed.
    /// </summary>
    public async Task<string?> VisibleRepositoryAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        if (repo.Split('/') is not [var owner, var name] || !GitHubNames.IsOwner(owner) || !GitHubNames.IsRepository(name))
        {
            return null;
        }

        var lowered = repo.ToLowerInvariant();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // lower() is what both providers translate; the StringComparison overloads CA1862 suggests are not.
#pragma warning disable CA1862
        return await db.VisibleTo(userId).Where(n => n.ToLower() == lowered).FirstOrDefaultAsync(cancellationToken);
#pragma warning restore CA1862
    }

    /// <summary>The repositories the user may see, by name, for the filters' choices.</summary>
    public async Task<IReadOnlyList<string>> RepositoriesAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.VisibleTo(userId).Order().ToListAsync(cancellationToken);
    }

    /// <summary>Reviews, verdict mix, time to review, PR size, findings and cost over the filter's period.</summary>
    public async Task<SummaryView> SummaryAsync(long userId, AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await ReviewFacts(db, userId, filter).ToListAsync(cancellationToken);
        var priced = rows.Where(r => r.CostUsd is not null).ToList();
        var total = priced.Sum(r => r.CostUsd!.Value);
        return new SummaryView(
            filter.Repo, filter.Author, filter.Days, rows.Count,
            rows.Select(r => (r.RepositoryFullName, r.PullNumber)).Distinct().Count(),
            Mix(rows.Select(r => r.Verdict)),
            Spread(rows.Select(r => Math.Max(0, (r.CreatedAt - r.JobCreatedAt).TotalSeconds))),
            Spread(rows.Select(r => (double)r.ChangedFiles)),
            rows.Sum(r => r.Findings),
            new CostView(total, priced.Count == 0 ? null : Math.Round(total / priced.Count, 6), rows.Count - priced.Count,
                rows.Sum(r => r.InputTokens), rows.Sum(r => r.OutputTokens)));
    }

    /// <summary>Reviews per UTC day by verdict over the filter's period, oldest first, every day present.</summary>
    public async Task<TimelineView> TimelineAsync(long userId, AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        // Grouped here: day arithmetic on dates differs between SQLite and PostgreSQL (as in ReviewReadModel.StatsAsync).
        var rows = await Reviews(db, userId, filter).Select(r => new { r.CreatedAt, r.Verdict }).ToListAsync(cancellationToken);
        var byDay = rows.ToLookup(r => DateOnly.FromDateTime(r.CreatedAt));
        var first = FirstDay(filter.Days);
        return new TimelineView(filter.Repo, filter.Author, filter.Days, [.. Enumerable.Range(0, filter.Days).Select(i =>
        {
            var day = first.AddDays(i);
            var mix = Mix(byDay[day].Select(r => r.Verdict));
            return new TimelineDay(day, byDay[day].Count(), mix.Approve, mix.RequestChanges, mix.NeedsDiscussion);
        })]);
    }

    /// <summary>
    /// The period's findings by category, severity and rule, and the knowledge index's hotspots and high-risk files of
    /// the filtered repository, or of the most reviewed visible repositories (at most <see cref="MaxRepositoriesPerInsight"/>).
    /// </summary>
    public async Task<InsightsView> InsightsAsync(long userId, AnalyticsFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var findings = Reviews(db, userId, filter).SelectMany(r => r.Findings);
        var count = await findings.CountAsync(cancellationToken);
        var categories = await Ranked(findings.GroupBy(f => f.Category).Select(g => new NamedCount(g.Key, g.Count())), cancellationToken);
        var severities = await Ranked(findings.GroupBy(f => f.Severity).Select(g => new NamedCount(g.Key, g.Count())), cancellationToken);
        var rules = await Ranked(findings.GroupBy(f => f.RuleId).Select(g => new NamedCount(g.Key, g.Count())), cancellationToken);

        IReadOnlyList<string> repositories;
        var leftOut = 0;
        if (filter.Repo is { } repo)
        {
            repositories = [repo];
        }
        else
        {
            var indexed = await IndexedRepositoriesAsync(userId, cancellationToken);
            repositories = [.. indexed.Take(MaxRepositoriesPerInsight)];
            leftOut = Math.Max(0, indexed.Count - MaxRepositoriesPerInsight);
        }

        var hotspots = new List<RepoFileActivity>();
        var risks = new List<RepoFileRisk>();
        foreach (var name in repositories)
        {
            hotspots.AddRange((await knowledge.HotspotsAsync(name, Top, cancellationToken)).Select(h => new RepoFileActivity(name, h.Path, h.PullRequests)));
            risks.AddRange((await knowledge.HighRiskFilesAsync(name, Top, cancellationToken)).Select(r => new RepoFileRisk(name, r.Path, r.PullRequests, r.ChangesRequested)));
        }

        return new InsightsView(filter.Repo, filter.Author, filter.Days, count, categories, severities, rules,
            [.. hotspots.OrderByDescending(h => h.PullRequests).ThenBy(h => h.Repo, StringComparer.Ordinal).ThenBy(h => h.Path, StringComparer.Ordinal).Take(Top)],
            [.. risks.OrderByDescending(r => r.ChangesRequested).ThenByDescending(r => r.PullRequests).ThenBy(r => r.Repo, StringComparer.Ordinal)
                .ThenBy(r => r.Path, StringComparer.Ordinal).Take(Top)],
            leftOut);
    }

    /// <summary>
    /// The visible repositories the knowledge index holds pull requests of, the most pull requests first (insights
    /// without a repository, and the Team page, look at the first <see cref="MaxRepositoriesPerInsight"/>).
    /// </summary>
    public async Task<IReadOnlyList<string>> IndexedRepositoriesAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var indexed = await db.PullRequests.Where(p => db.VisibleTo(userId).Contains(p.RepositoryFullName))
            .GroupBy(p => p.RepositoryFullName).Select(g => new { Repo = g.Key, Count = g.Count() })
            .OrderByDescending(x => x.Count).ThenBy(x => x.Repo).ToListAsync(cancellationToken);
        return [.. indexed.Select(x => x.Repo)];
    }

    /// <summary>The visible reviews of the filter's period, repository and PR author.</summary>
    private IQueryable<ReviewRecord> Reviews(NectrDb db, long userId, AnalyticsFilter filter)
    {
        var since = Since(filter.Days);
        var query = ReviewReadModel.VisibleReviews(db, userId).Where(r => r.CreatedAt >= since);
        if (filter.Repo is { } repo)
        {
            query = query.Where(r => r.RepositoryFullName == repo);
        }

        if (filter.Author is { } author)
        {
            // The author is the knowledge index's: reviews carry no author, their PR row does (unique by repository + number).
            query = query.Where(r => db.PullRequests.Any(p => p.RepositoryFullName == r.RepositoryFullName && p.Number == r.PullNumber && p.AuthorLogin == author));
        }

        return query;
    }

    private IQueryable<ReviewFact> ReviewFacts(NectrDb db, long userId, AnalyticsFilter filter) =>
        Reviews(db, userId, filter).Join(db.ReviewJobs, r => r.JobId, j => j.Id, (r, j) => new ReviewFact(
            r.RepositoryFullName, r.PullNumber, r.Verdict, r.CreatedAt, j.CreatedAt, r.ChangedFiles, r.Findings.Count, r.CostUsd, r.InputTokens, r.OutputTokens));

    private DateTime Since(int days) => FirstDay(days).ToDateTime(TimeOnly.MinValue, DateTimeKind.Utc);

    private DateOnly FirstDay(int days) => DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime).AddDays(1 - Math.Clamp(days, 1, MaxDays));

    /// <summary>Groups are few (a handful of categories and severities, the rules of one period): ranked here, the top kept.</summary>
    private static async Task<IReadOnlyList<NamedCount>> Ranked(IQueryable<NamedCount> groups, CancellationToken cancellationToken) =>
        [.. (await groups.ToListAsync(cancellationToken)).OrderByDescending(c => c.Count).ThenBy(c => c.Name, StringComparer.Ordinal).Take(Top)];

    internal static VerdictMix Mix(IEnumerable<string> verdicts)
    {
        var list = verdicts as IReadOnlyCollection<string> ?? [.. verdicts];
        return new VerdictMix(
            list.Count(v => v == StoredVerdict.Approve), list.Count(v => v == StoredVerdict.RequestChanges), list.Count(v => v == StoredVerdict.NeedsDiscussion));
    }

    internal static Distribution Spread(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return new Distribution(0, null, null, null);
        }

        var middle = sorted.Length / 2;
        var median = sorted.Length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
        return new Distribution(sorted.Length, Math.Round(median, 1), Math.Round(sorted.Average(), 1), Math.Round(sorted[^1], 1));
    }

    private sealed record ReviewFact(
        string RepositoryFullName, int PullNumber, string Verdict, DateTime CreatedAt, DateTime JobCreatedAt, int ChangedFiles, int Findings,
        decimal? CostUsd, long InputTokens, long OutputTokens);
}
