using System.Text.Json.Nodes;

namespace Nectr.Tests.Infrastructure;

/// <summary>One contributor of GitHub's <c>stats/contributors</c>: their commits per week, oldest first, ending this week.</summary>
public sealed record FakeContributor(string Login, IReadOnlyList<int> WeeklyCommits);

// GET /repos/{owner}/{repo}/stats/contributors, from @octokit/openapi's contributor-activity-items example
// (Fixtures/rest/repos.get-contributors-stats.json). GitHub computes these statistics in the background: the first
// requests answer 202 (empty body) until they are ready. Only a repository a test set up answers; any other request is
// unexpected and fails the test.
public sealed partial class FakeGitHub
{
    /// <summary>
    /// Serves the repository's contributor statistics: <paramref name="computing"/> requests answered 202 first, then
    /// 200 with <paramref name="contributors"/>. Returns how many requests arrived so far (read it after the call).
    /// </summary>
    public Func<int> SetContributorStats(string owner, string repo, IReadOnlyList<FakeContributor> contributors, int computing = 1)
    {
        var path = $"/repos/{owner}/{repo}/stats/contributors";
        var seen = 0;
        AddRoute(r => r.Method == "GET" && string.Equals(r.Path, path, StringComparison.OrdinalIgnoreCase), async (context, request) =>
        {
            if (Interlocked.Increment(ref seen) <= computing)
            {
                await WriteStatusAsync(context, request, 202, "{}");
                return;
            }

            await WriteJsonAsync(context, request, ContributorStatsJson(contributors), cacheable: false);
        });
        return () => Volatile.Read(ref seen);
    }

    private static JsonArray ContributorStatsJson(IReadOnlyList<FakeContributor> contributors)
    {
        var thisWeek = DateTimeOffset.UtcNow.Date.AddDays(-(int)DateTimeOffset.UtcNow.DayOfWeek);
        return new JsonArray([.. contributors.Select(c =>
        {
            var json = StatsTemplates.Contributor.DeepClone().AsObject();
            json["author"]!["login"] = c.Login;
            json["author"]!["html_url"] = $"https://github.com/{c.Login}";
            json["total"] = c.WeeklyCommits.Sum();
            json["weeks"] = new JsonArray([.. c.WeeklyCommits.Select((commits, i) => (JsonNode)new JsonObject
            {
                ["w"] = new DateTimeOffset(thisWeek.AddDays(-7 * (c.WeeklyCommits.Count - 1 - i)), TimeSpan.Zero).ToUnixTimeSeconds(),
                ["a"] = commits * 10,
                ["d"] = commits * 2,
                ["c"] = commits,
            })]);
            return (JsonNode)json;
        })]);
    }

    /// <summary>Loaded on first use, like the other templates.</summary>
    private static class StatsTemplates
    {
        public static readonly JsonObject Contributor = LoadTemplate("repos.get-contributors-stats.json")[0]!.AsObject();
    }
}
