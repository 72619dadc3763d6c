using System.ComponentModel;
using System.Security.Claims;
using ModelContextProtocol.Server;
using Nectr.Analytics;
using Nectr.Data;
using Nectr.Knowledge;
using Nectr.Reviews;

namespace Nectr.McpServer;

/// <summary>
/// The review tools of Nectr's MCP server. Each reads through the API's read models, scoped to the repositories the
/// token's user can see (<see cref="McpScope"/>); a bad argument or an unseen repository is a tool error (the result's
/// <c>isError</c>), never an HTTP failure. Every tool declares an output schema and answers structured content.
/// </summary>
[McpServerToolType]
internal sealed class NectrMcpTools
{
    public const int MaxLimit = 50;
    public const int SearchLimit = 20;
    public const int MaxQueryLength = 200;

    [McpServerTool(Name = "get_recent_reviews", Title = "Recent reviews", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Nectr's most recent pull-request reviews, newest first: verdict, number of findings, links. Optionally for one repository.")]
    public static async Task<ReviewList> GetRecentReviewsAsync(
        ClaimsPrincipal user,
        ReviewReadModel reviews,
        McpScope scope,
        [Description("Repository as owner/name; omit for all your repositories.")] string? repo = null,
        [Description("How many reviews, 1 to 50.")] int limit = 10,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        if (limit is < 1 or > MaxLimit)
        {
            throw McpScope.Invalid($"limit must be from 1 to {MaxLimit}.");
        }

        var name = repo is null ? null : await scope.RepositoryAsync(userId, repo, cancellationToken);
        var page = await reviews.ReviewsAsync(userId, new ReviewFilter { Repo = name, Page = PageRequest.From(1, limit) }, cancellationToken);
        return new ReviewList(page.Total, page.Items);
    }

    [McpServerTool(Name = "get_pr_verdict", Title = "Verdict of a pull request", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Nectr's verdict on a pull request from its latest review: the verdict and why, findings by severity, the reviewed head commit.")]
    public static async Task<PullRequestVerdict> GetPrVerdictAsync(
        ClaimsPrincipal user,
        ReviewReadModel reviews,
        McpScope scope,
        [Description("Repository as owner/name.")] string repo,
        [Description("The pull request's number.")] int number,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        if (number < 1)
        {
            throw McpScope.Invalid("number must be a pull request number (1 or more).");
        }

        var name = await scope.RepositoryAsync(userId, repo, cancellationToken);
        var latest = await reviews.ReviewsAsync(userId, new ReviewFilter { Repo = name, PullNumber = number, Page = PageRequest.From(1, 1) }, cancellationToken);
        if (latest.Items.Count == 0
            || await reviews.ReviewAsync(userId, latest.Items[0].Id, liveState: false, cancellationToken) is not { } review)
        {
            throw McpScope.Invalid($"Nectr has not reviewed {name}#{number}.");
        }

        var bySeverity = review.Findings.GroupBy(f => f.Severity, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new PullRequestVerdict(
            review.Repository, review.PullNumber, review.Verdict, review.VerdictReason, review.HeadSha, review.Timings.CreatedAt,
            review.Findings.Count, bySeverity, latest.Total, review.Id, review.Links.PullRequest, review.Links.Review);
    }

    [McpServerTool(Name = "search_reviews", Title = "Search reviews", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Reviews whose text or repository name contains the query (case-insensitive), or whose head commit starts with it; newest first, at most 20.")]
    public static async Task<ReviewList> SearchReviewsAsync(
        ClaimsPrincipal user,
        ReviewReadModel reviews,
        McpScope scope,
        [Description("Text to look for, 1 to 200 characters.")] string query,
        [Description("Repository as owner/name; omit for all your repositories.")] string? repo = null,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        var text = query?.Trim();
        if (string.IsNullOrEmpty(text) || text.Length > MaxQueryLength)
        {
            throw McpScope.Invalid($"query must be 1 to {MaxQueryLength} characters.");
        }

        // Stored text never holds one, and PostgreSQL refuses a NUL in a parameter outright.
        if (Engine.PlainText.HasControlCharacter(text))
        {
            throw McpScope.Invalid("query may not contain control characters (such as NUL); tabs and line breaks are allowed.");
        }

        var name = repo is null ? null : await scope.RepositoryAsync(userId, repo, cancellationToken);
        var page = await reviews.ReviewsAsync(userId, new ReviewFilter { Repo = name, Query = text, Page = PageRequest.From(1, SearchLimit) }, cancellationToken);
        return new ReviewList(page.Total, page.Items);
    }

    [McpServerTool(Name = "get_file_experts", Title = "Experts of a file", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Who knows a file: the authors of the most pull requests that changed it, from Nectr's knowledge index of the repository.")]
    public static async Task<FileExperts> GetFileExpertsAsync(
        ClaimsPrincipal user,
        KnowledgeQueries knowledge,
        McpScope scope,
        [Description("Repository as owner/name.")] string repo,
        [Description("The file's path in the repository, e.g. src/app/main.py.")] string path,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        var file = path?.Trim().TrimStart('/');
        if (string.IsNullOrEmpty(file) || file.Length > 1000 || file.Any(char.IsControl))
        {
            throw McpScope.Invalid("path must be a file path in the repository, 1 to 1,000 characters with no control characters.");
        }

        var name = await scope.RepositoryAsync(userId, repo, cancellationToken);
        // No pull request is being reviewed here, so none is left out (numbers start at 1).
        var experts = await knowledge.FileExpertsAsync(name, 0, [file], cancellationToken);
        var indexed = experts.Count > 0 || await knowledge.HasHistoryAsync(name, 0, cancellationToken);
        return new FileExperts(name, file, indexed, experts.Select(e => new FileExpertView(e.Login, e.PullRequests)).ToList());
    }

    [McpServerTool(Name = "get_contributor_stats", Title = "Contributor statistics", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("Per pull-request author of a repository over the last days: pull requests, Nectr's verdicts on them, findings by severity, top directories and what Nectr's memory says about them. The same numbers as the Team page and /api/v1/analytics/contributors.")]
    public static async Task<ContributorStatsView> GetContributorStatsAsync(
        ClaimsPrincipal user,
        AnalyticsQueries analytics,
        McpScope scope,
        [Description("Repository as owner/name.")] string repo,
        [Description("The period in days, 1 to 366.")] int days = 30,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        if (days is < 1 or > AnalyticsQueries.MaxDays)
        {
            throw McpScope.Invalid($"days must be from 1 to {AnalyticsQueries.MaxDays}.");
        }

        var name = await scope.RepositoryAsync(userId, repo, cancellationToken);
        return await analytics.ContributorStatsAsync(userId, name, days, cancellationToken)
            ?? throw McpScope.Invalid($"{name} is not among the repositories you can see in Nectr.");
    }

    [McpServerTool(Name = "get_repo_health", Title = "Repository health", ReadOnly = true, Idempotent = true, OpenWorld = false, UseStructuredContent = true)]
    [Description("A repository's health over the last 30 days, 0 to 100, and its four parts: verdict mix (40), parked review jobs (20), median review latency (20) and hotspots last reviewed with requested changes (20). A part with nothing to measure earns half its weight.")]
    public static async Task<RepoHealthView> GetRepoHealthAsync(
        ClaimsPrincipal user,
        AnalyticsQueries analytics,
        McpScope scope,
        [Description("Repository as owner/name.")] string repo,
        CancellationToken cancellationToken = default)
    {
        var userId = McpScope.UserId(user);
        var name = await scope.RepositoryAsync(userId, repo, cancellationToken);
        return await analytics.RepoHealthAsync(userId, name, cancellationToken)
            ?? throw McpScope.Invalid($"{name} is not among the repositories you can see in Nectr.");
    }
}

/// <summary>Reviews, newest first; <paramref name="Total"/> counts every match, not only those listed.</summary>
internal sealed record ReviewList(int Total, IReadOnlyList<ReviewSummary> Reviews);

internal sealed record PullRequestVerdict(
    string Repository,
    int Number,
    string Verdict,
    string? VerdictReason,
    string HeadSha,
    DateTime ReviewedAt,
    int Findings,
    IReadOnlyDictionary<string, int> FindingsBySeverity,
    int Reviews,
    long ReviewId,
    string PullRequestUrl,
    string? ReviewUrl);

/// <summary><paramref name="Indexed"/> is false when the knowledge index holds no pull request of the repository yet.</summary>
internal sealed record FileExperts(string Repository, string Path, bool Indexed, IReadOnlyList<FileExpertView> Experts);

internal sealed record FileExpertView(string Login, int PullRequests);
