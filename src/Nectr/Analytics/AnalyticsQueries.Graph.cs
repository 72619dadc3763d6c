using Nectr.Knowledge;

namespace Nectr.Analytics;

internal sealed partial class AnalyticsQueries
{
    /// <summary>
    /// The repository's knowledge graph: languages of its most touched files, hotspots, ownership and expertise from the
    /// knowledge index, and GitHub's contributor statistics (through <see cref="GitHubContributorStats"/>, which may answer
    /// "computing" or "unavailable"). Null when the user cannot see the repository; GitHub is not asked then.
    /// </summary>
    public async Task<RepoGraphView?> GraphAsync(long userId, string repo, CancellationToken cancellationToken)
    {
        if (await VisibleRepositoryAsync(userId, repo, cancellationToken) is not { } name)
        {
            return null;
        }

        var files = await knowledge.HotspotsAsync(name, KnowledgeAnalytics.MaxTop, cancellationToken);
        var languages = files.GroupBy(f => FileLanguages.Of(f.Path), StringComparer.Ordinal)
            .Select(g => new LanguageShare(g.Key, g.Count(), g.Sum(f => f.PullRequests)))
            .OrderByDescending(l => l.PullRequests).ThenBy(l => l.Language, StringComparer.Ordinal).ToList();
        return new RepoGraphView(name, languages, [.. files.Take(Top * 2)],
            await knowledge.CodeOwnershipAsync(name, Top * 2, cancellationToken),
            await knowledge.DeveloperExpertiseAsync(name, Top * 2, 5, cancellationToken),
            await gitHubStats.ReadAsync(name, cancellationToken));
    }
}
