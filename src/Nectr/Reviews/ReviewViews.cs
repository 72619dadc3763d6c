using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Reviews;

/// <summary>What to list. Values are already validated (see <see cref="ReviewFilter.Verdicts"/>); null means "any".</summary>
internal sealed record ReviewFilter
{
    public static readonly IReadOnlyList<string> Verdicts = StoredVerdict.All;

    /// <summary>owner/name, exactly.</summary>
    public string? Repo { get; init; }
    /// <summary>One pull request of <see cref="Repo"/>.</summary>
    public int? PullNumber { get; init; }
    public string? Verdict { get; init; }
    /// <summary>The PR's live state on GitHub, looked up through <see cref="PullRequestStateCache"/>.</summary>
    public PullRequestLiveState? State { get; init; }
    /// <summary>Text in the repository name or review body, or a head SHA prefix; case-insensitive.</summary>
    public string? Query { get; init; }
    public Data.PageRequest Page { get; init; } = Data.PageRequest.From(null, null);
}

/// <summary>A row of the review list.</summary>
// State: open, closed or merged when the list was filtered by state; otherwise null (not looked up).
internal sealed record ReviewSummary(
    long Id,
    string Repository,
    int PullNumber,
    string HeadSha,
    string Verdict,
    string? VerdictReason,
    int Findings,
    int InlineComments,
    string? Model,
    decimal? CostUsd,
    DateTime CreatedAt,
    string PullRequestUrl,
    string? ReviewUrl,
    string? State);

/// <summary>Everything about one review: what it said, what it covered, what it cost.</summary>
// State: open, closed or merged, from the live-state cache; null when GitHub could not say.
internal sealed record ReviewDetail(
    long Id,
    string Repository,
    int PullNumber,
    string HeadSha,
    string Event,
    string Verdict,
    string? VerdictReason,
    string Summary,
    IReadOnlyList<FindingView> Findings,
    ReviewCoverage Coverage,
    ReviewUsage Usage,
    ReviewTimings Timings,
    ReviewLinks Links,
    string? State,
    // Shown by the dashboard; the API's detail never carried it (its list does), and this change adds nothing to the API.
    [property: System.Text.Json.Serialization.JsonIgnore] int InlineComments);

internal sealed record FindingView(
    string File, int Line, int? EndLine, string Severity, string Category, string Title, string Body, string? Suggestion, bool Inline, string RuleId);

internal sealed record ReviewCoverage(int ChangedFiles, int ReviewedFiles, IReadOnlyList<FileNote> Skipped, IReadOnlyList<FileNote> NotSentToModel);

internal sealed record FileNote(string Path, string Reason);

internal sealed record ReviewUsage(string? Model, int LlmCalls, long InputTokens, long OutputTokens, decimal? CostUsd);

internal sealed record ReviewTimings(long DurationMs, DateTime CreatedAt);

internal sealed record ReviewLinks(string PullRequest, string? Review);

internal static class LiveStateNames
{
    public static string Name(this PullRequestLiveState state) => state switch
    {
        PullRequestLiveState.Open => "open",
        PullRequestLiveState.Merged => "merged",
        _ => "closed",
    };

    public static PullRequestLiveState? Parse(string? value) => value?.ToLowerInvariant() switch
    {
        "open" => PullRequestLiveState.Open,
        "closed" => PullRequestLiveState.Closed,
        "merged" => PullRequestLiveState.Merged,
        _ => null,
    };
}
