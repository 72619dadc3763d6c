using Nectr.Knowledge;
using Nectr.Reviews;

namespace Nectr.Analytics;

/// <summary>
/// What to count: reviews of the last <see cref="Days"/> UTC days (today included), optionally of one repository
/// (owner/name as stored, already checked visible) and one PR author (GitHub login, as the knowledge index stores it).
/// </summary>
internal sealed record AnalyticsFilter(string? Repo, string? Author, int Days);

/// <summary>The median and mean of a set of numbers; both null when the set is empty.</summary>
internal sealed record Distribution(int Count, double? Median, double? Mean, double? Max);

/// <summary>What the reviews cost: the sum of known costs, and how many reviews had no known price (their model's price is unknown).</summary>
internal sealed record CostView(decimal TotalUsd, decimal? PerReviewUsd, int UnpricedReviews, long InputTokens, long OutputTokens);

/// <summary>
/// Reviews in the period: how many, their verdicts, how long a review took from the job's creation (the delivery that
/// asked for it) to the posted review, how big the PRs were (changed files), how many findings, and what it cost.
/// </summary>
internal sealed record SummaryView(
    string? Repo,
    string? Author,
    int Days,
    int Reviews,
    int PullRequests,
    VerdictMix Verdicts,
    Distribution TimeToReviewSeconds,
    Distribution PrSizeFiles,
    int Findings,
    CostView Cost);

/// <summary>One UTC day of the timeline: reviews by verdict.</summary>
internal sealed record TimelineDay(DateOnly Day, int Total, int Approve, int RequestChanges, int NeedsDiscussion);

internal sealed record TimelineView(string? Repo, string? Author, int Days, IReadOnlyList<TimelineDay> PerDay);

/// <summary>A name (a category, severity or rule) and how many findings carry it.</summary>
internal sealed record NamedCount(string Name, int Count);

/// <summary>A file of a repository and how many pull requests touched it.</summary>
internal sealed record RepoFileActivity(string Repo, string Path, int PullRequests);

/// <summary>A file of a repository, its pull requests, and how many of those Nectr last reviewed with "request changes".</summary>
internal sealed record RepoFileRisk(string Repo, string Path, int PullRequests, int ChangesRequested);

/// <summary>
/// The period's findings by category and severity (most first), and from the knowledge index the most touched and the
/// riskiest files of the repositories in view. <see cref="RepositoriesLeftOut"/> counts visible repositories beyond
/// <see cref="AnalyticsQueries.MaxRepositoriesPerInsight"/> whose files were not looked at.
/// </summary>
internal sealed record InsightsView(
    string? Repo,
    string? Author,
    int Days,
    int Findings,
    IReadOnlyList<NamedCount> Categories,
    IReadOnlyList<NamedCount> Severities,
    IReadOnlyList<NamedCount> Rules,
    IReadOnlyList<RepoFileActivity> Hotspots,
    IReadOnlyList<RepoFileRisk> HighRiskFiles,
    int RepositoriesLeftOut);

/// <summary>A developer memory (pattern, strength or contributor profile) about a contributor.</summary>
internal sealed record MemoryNote(string Type, string Content);

/// <summary>
/// One PR author of a repository over the period: pull requests the knowledge index saw updated, reviews of their PRs
/// and those reviews' verdicts and findings by severity, their top directories (all time), and what project memory
/// says about them (empty when nothing).
/// </summary>
internal sealed record ContributorView(
    string Login,
    int PullRequests,
    int Reviews,
    VerdictMix Verdicts,
    IReadOnlyDictionary<string, int> FindingsBySeverity,
    IReadOnlyList<DirectoryTouches> Expertise,
    IReadOnlyList<MemoryNote> Memory);

/// <summary>
/// Contributors of one repository, the most reviewed first; <see cref="UnattributedReviews"/> counts the period's
/// reviews of PRs the knowledge index has no author for.
/// </summary>
internal sealed record ContributorStatsView(string Repo, int Days, IReadOnlyList<ContributorView> Contributors, int UnattributedReviews);

/// <summary>One part of the health score: its weight, the points it earned (0 to weight), the measured value and what it means.</summary>
internal sealed record HealthComponent(string Name, int Weight, double Points, double? Value, string Detail);

/// <summary>The repository's health, 0 to 100 (see <see cref="AnalyticsQueries.RepoHealthAsync"/> for the formula), and its parts.</summary>
internal sealed record RepoHealthView(string Repo, int Days, int Score, IReadOnlyList<HealthComponent> Components);

/// <summary>A language and how many of the repository's indexed files (the most touched) are written in it, and their PR touches.</summary>
internal sealed record LanguageShare(string Language, int Files, int PullRequests);

/// <summary>A contributor's commits on the default branch as GitHub counts them, and their last 12 weeks of commits (oldest first).</summary>
internal sealed record GitHubContributorView(string Login, int Commits, long Additions, long Deletions, IReadOnlyList<int> RecentWeeks);

/// <summary>
/// GitHub's contributor statistics: <c>ready</c> (with <see cref="Contributors"/>), <c>computing</c> (GitHub was still
/// computing them after the bounded retries; ask again later) or <c>unavailable</c> (GitHub refused or failed);
/// <see cref="Note"/> says which in words.
/// </summary>
internal sealed record GitHubContributorsView(string Status, string? Note, IReadOnlyList<GitHubContributorView> Contributors);

/// <summary>A repository's knowledge graph: languages, hotspots, ownership, expertise, and GitHub's contributor statistics.</summary>
internal sealed record RepoGraphView(
    string Repo,
    IReadOnlyList<LanguageShare> Languages,
    IReadOnlyList<FileActivity> Hotspots,
    IReadOnlyList<FileOwnership> Ownership,
    IReadOnlyList<DeveloperExpertise> Expertise,
    GitHubContributorsView GitHubContributors);

/// <summary>A PR author and the reviews of their pull requests per week, oldest week first.</summary>
internal sealed record PersonWeeks(string Login, IReadOnlyList<int> Reviews);

/// <summary>
/// Weekly review activity per PR author of one repository: <see cref="AnalyticsQueries.ActivityWeeks"/> weeks of seven
/// UTC days from <see cref="FirstDay"/>, the most active first.
/// </summary>
internal sealed record WeeklyActivityView(string Repo, DateOnly FirstDay, IReadOnlyList<PersonWeeks> People);
