using Nectr.GitHub;
using Polly;
using Polly.Retry;

namespace Nectr.Analytics;

/// <summary>
/// GitHub's <c>stats/contributors</c>, which GitHub computes in the background: the first request for a repository whose
/// statistics are not cached answers 202 and asks to come back. This asks at most <see cref="Attempts"/> times,
/// <see cref="RetryDelay"/> apart, then answers "computing" instead of waiting longer: the graph is still worth having
/// without it. A refusal or failure is "unavailable", never an error of the whole answer.
/// </summary>
internal sealed partial class GitHubContributorStats(IGitHubApi github, TimeProvider time, ILogger<GitHubContributorStats> logger)
{
    public const int Attempts = 3;
    public static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    /// <summary>Weeks of commits each contributor's sparkline shows.</summary>
    public const int RecentWeeks = 12;

    /// <summary>Contributors listed (GitHub's top 100 by commits at most).</summary>
    public const int MaxContributors = 100;

    private ResiliencePipeline<IReadOnlyList<GitHubContributorActivity>?> Pipeline => field ??= new ResiliencePipelineBuilder<IReadOnlyList<GitHubContributorActivity>?>
    {
        TimeProvider = time,
    }.AddRetry(new RetryStrategyOptions<IReadOnlyList<GitHubContributorActivity>?>
    {
        // Only "still computing" (null) is asked again; errors already had the GitHub client's own read retries.
        ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is null && args.Outcome.Result is null),
        MaxRetryAttempts = Attempts - 1,
        Delay = RetryDelay,
        BackoffType = DelayBackoffType.Constant,
        UseJitter = false,
    }).Build();

    public async Task<GitHubContributorsView> ReadAsync(string repositoryFullName, CancellationToken cancellationToken)
    {
        var (owner, repo) = (repositoryFullName.Split('/')[0], repositoryFullName.Split('/')[1]);
        try
        {
            var stats = await Pipeline.ExecuteAsync(async ct => await github.GetContributorStatsAsync(owner, repo, ct), cancellationToken);
            if (stats is null)
            {
                return new GitHubContributorsView("computing",
                    $"GitHub was still computing the contributor statistics after {Attempts} requests; ask again in a minute.", []);
            }

            return new GitHubContributorsView("ready", null, [.. stats
                .Where(s => s.Author is not null)
                .OrderByDescending(s => s.Total).ThenBy(s => s.Author!.Login, StringComparer.Ordinal)
                .Take(MaxContributors)
                .Select(s => new GitHubContributorView(s.Author!.Login, s.Total, s.Weeks?.Sum(w => w.A) ?? 0, s.Weeks?.Sum(w => w.D) ?? 0,
                    LastWeeks(s.Weeks ?? [])))]);
        }
        catch (GitHubRateLimitedException ex)
        {
            return new GitHubContributorsView("unavailable", $"GitHub's rate limit is reached until {ex.Until:u}; the statistics are left out.", []);
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubTokenUnavailableException or HttpRequestException
            or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.StatsFailed(logger, GitHubFailures.TraceOf(ex), repositoryFullName, ex.Message);
            return new GitHubContributorsView("unavailable", "GitHub did not answer for the contributor statistics; they are left out.", []);
        }
    }

    /// <summary>Commits of the last <see cref="RecentWeeks"/> weeks GitHub reported, oldest first, padded with zeros in front.</summary>
    private static List<int> LastWeeks(IReadOnlyList<GitHubContributorWeek> weeks)
    {
        var recent = weeks.OrderBy(w => w.W).TakeLast(RecentWeeks).Select(w => w.C).ToList();
        return [.. Enumerable.Repeat(0, RecentWeeks - recent.Count), .. recent];
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not read GitHub's contributor statistics of {Repository}: {Reason}")]
        public static partial void StatsFailed(ILogger logger, Exception? exception, string repository, string reason);
    }
}
