using Microsoft.EntityFrameworkCore;
using Nectr.Engine.Memory;
using Nectr.Knowledge;

namespace Nectr.Analytics;

internal sealed partial class AnalyticsQueries
{
    /// <summary>The most contributors one answer lists (the most reviewed first).</summary>
    public const int MaxContributors = 100;

    /// <summary>Developer memories shown per contributor (the most recently updated).</summary>
    public const int MemoriesPerContributor = 5;

    private static readonly string[] DeveloperMemoryTypes = [MemoryTypes.ContributorProfile, MemoryTypes.DeveloperStrength, MemoryTypes.DeveloperPattern];

    /// <summary>
    /// Per PR author of <paramref name="repo"/> over the last <paramref name="days"/> days: pull requests the knowledge
    /// index saw updated, reviews of their PRs with verdicts and findings by severity, top directories and developer
    /// memories. Bots are left out (their PRs' reviews count as unattributed). Null when the user cannot see the repository.
    /// </summary>
    public async Task<ContributorStatsView?> ContributorStatsAsync(long userId, string repo, int days, CancellationToken cancellationToken)
    {
        if (await VisibleRepositoryAsync(userId, repo, cancellationToken) is not { } name)
        {
            return null;
        }

        days = Math.Clamp(days, 1, MaxDays);
        var filter = new AnalyticsFilter(name, null, days);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var reviews = await Reviews(db, userId, filter)
            .Select(r => new
            {
                r.Id,
                r.Verdict,
                Author = db.PullRequests.Where(p => p.RepositoryFullName == r.RepositoryFullName && p.Number == r.PullNumber && !p.AuthorIsBot && p.AuthorLogin != "")
                    .Select(p => p.AuthorLogin).FirstOrDefault(),
            })
            .ToListAsync(cancellationToken);
        var severities = await Reviews(db, userId, filter)
            .SelectMany(r => r.Findings)
            .GroupBy(f => new { f.ReviewId, f.Severity })
            .Select(g => new { g.Key.ReviewId, g.Key.Severity, Count = g.Count() })
            .ToListAsync(cancellationToken);
        var sinceMs = new DateTimeOffset(Since(days)).ToUnixTimeMilliseconds();
        var pullRequests = await db.PullRequests
            .Where(p => p.RepositoryFullName == name && p.UpdatedAtMs >= sinceMs && !p.AuthorIsBot && p.AuthorLogin != "")
            .GroupBy(p => p.AuthorLogin)
            .Select(g => new { Login = g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Login, x => x.Count, StringComparer.Ordinal, cancellationToken);

        var byAuthor = reviews.Where(r => r.Author is not null).ToLookup(r => r.Author!, StringComparer.Ordinal);
        var findingsOf = severities.ToLookup(s => s.ReviewId);
        var logins = byAuthor.Select(g => g.Key).Union(pullRequests.Keys, StringComparer.Ordinal)
            .OrderByDescending(l => byAuthor[l].Count()).ThenByDescending(l => pullRequests.GetValueOrDefault(l)).ThenBy(l => l, StringComparer.Ordinal)
            .Take(MaxContributors).ToList();

        var expertise = (await knowledge.DeveloperExpertiseAsync(name, KnowledgeAnalytics.MaxTop, 3, cancellationToken)).ToDictionary(e => e.Login, StringComparer.Ordinal);
        var memories = (await db.Memories.AsNoTracking()
                .Where(m => m.RepositoryFullName == name && m.Developer != null && logins.Contains(m.Developer) && DeveloperMemoryTypes.Contains(m.Type))
                .OrderByDescending(m => m.UpdatedAt).ThenByDescending(m => m.Id)
                .Select(m => new { m.Developer, m.Type, m.Content })
                .ToListAsync(cancellationToken))
            .ToLookup(m => m.Developer!, StringComparer.Ordinal);

        var contributors = logins.Select(login =>
        {
            var theirs = byAuthor[login].ToList();
            var bySeverity = theirs.SelectMany(r => findingsOf[r.Id]).GroupBy(f => f.Severity, StringComparer.Ordinal)
                .OrderBy(g => g.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(f => f.Count), StringComparer.Ordinal);
            return new ContributorView(login, pullRequests.GetValueOrDefault(login), theirs.Count, Mix(theirs.Select(r => r.Verdict)), bySeverity,
                expertise.TryGetValue(login, out var e) ? e.Directories : [],
                [.. memories[login].Take(MemoriesPerContributor).Select(m => new MemoryNote(m.Type, m.Content))]);
        }).ToList();
        return new ContributorStatsView(name, days, contributors, reviews.Count(r => r.Author is null));
    }
}
