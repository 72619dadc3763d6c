using Nectr.Configuration;
using Nectr.Engine.RepoConfig;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Data;

namespace Nectr.RepoConfig;

/// <summary>Where an effective value came from: the file on the default branch wins over the dashboard, which wins over the server.</summary>
internal enum ConfigSource { Server, Dashboard, File }

/// <summary>One key's effective value and its source, for the API.</summary>
internal sealed record ConfigValue<T>(T Value, ConfigSource Source);

/// <summary>
/// A repository's review settings for one job: per key, <c>.nectr.yml</c> on the default branch, else the dashboard's
/// override, else the server's setting (environment) or the built-in default. <see cref="Problem"/> says why the file
/// was not used (invalid YAML, schema violation, too large); the summary shows it once per pull request.
/// </summary>
internal sealed class EffectiveConfig
{
    private EffectiveConfig(RepoSettings file, RepoSettings dashboard, ReviewOptions server, string? problem, string defaultBranch)
    {
        Problem = problem;
        DefaultBranch = defaultBranch;
        Ignore = Pick(file.Ignore, dashboard.Ignore, []);
        PathInstructions = Pick(file.PathInstructions, dashboard.PathInstructions, []);
        SeverityThreshold = Pick(file.SeverityThreshold, dashboard.SeverityThreshold, "nit");
        MaxInlineComments = PickValue(file.MaxInlineComments, dashboard.MaxInlineComments, server.MaxInlineComments);
        Profile = Pick(file.Profile, dashboard.Profile, null);
        Language = Pick(file.Language, dashboard.Language, null);
        Blocking = PickValue(file.Blocking, dashboard.Blocking, server.BlockingReviews);
        ReviewDrafts = PickValue(file.ReviewDrafts, dashboard.ReviewDrafts, server.ReviewDrafts);
        AutoReviewEnabled = PickValue(file.AutoReview?.Enabled, dashboard.AutoReview?.Enabled, true);
        BaseBranches = Pick(file.AutoReview?.BaseBranches, dashboard.AutoReview?.BaseBranches, []);
        Forks = Pick(file.Forks, dashboard.Forks, "review");
        _serverInlineThreshold = server.InlineThreshold;
    }

    private readonly Severity _serverInlineThreshold;

    /// <summary>Why <c>.nectr.yml</c> was not used, in Nectr's words (no more than a short excerpt of the file); null when it was fine or absent.</summary>
    public string? Problem { get; }

    public string DefaultBranch { get; }

    public ConfigValue<IReadOnlyList<string>> Ignore { get; }
    public ConfigValue<IReadOnlyList<PathInstructionSetting>> PathInstructions { get; }
    public ConfigValue<string> SeverityThreshold { get; }
    public ConfigValue<int> MaxInlineComments { get; }
    public ConfigValue<string?> Profile { get; }
    public ConfigValue<string?> Language { get; }
    public ConfigValue<bool> Blocking { get; }
    public ConfigValue<bool> ReviewDrafts { get; }
    public ConfigValue<bool> AutoReviewEnabled { get; }
    public ConfigValue<IReadOnlyList<string>> BaseBranches { get; }
    public ConfigValue<string> Forks { get; }

    public static EffectiveConfig Resolve(RepoSettings? file, RepoSettings? dashboard, ReviewOptions server, string? problem, string defaultBranch) =>
        new(file ?? RepoSettings.Empty, dashboard ?? RepoSettings.Empty, server, problem, defaultBranch);

    /// <summary>The engine's settings for this review.</summary>
    public ReviewSettings ReviewSettings()
    {
        var profile = Profile.Value switch { "chill" => ReviewProfile.Chill, "assertive" => ReviewProfile.Assertive, _ => ReviewProfile.Standard };
        // chill keeps low and nit findings in the body; assertive lets every finding be inline; otherwise the server decides.
        var inline = profile switch
        {
            ReviewProfile.Chill => (Severity)Math.Min((int)_serverInlineThreshold, (int)Severity.Medium),
            ReviewProfile.Assertive => Severity.Nit,
            _ => _serverInlineThreshold,
        };
        return new ReviewSettings(MaxInlineComments.Value, inline, Blocking.Value)
        {
            SeverityThreshold = ReviewOptions.ParseSeverity(SeverityThreshold.Value) ?? Severity.Nit,
            Ignore = Ignore.Value,
            IgnoreReason = Ignore.Source == ConfigSource.File ? "ignored by .nectr.yml" : "ignored by the repository's settings on Nectr's dashboard",
            Guidance = new ReviewGuidance(profile, Language.Value, [.. PathInstructions.Value.Select(p => new PathInstruction(p.Path, p.Instructions))]),
        };
    }

    /// <summary>
    /// Why this job is not reviewed under these settings, or null. A job a person asked for (<see cref="ReviewJob.RequestedBy"/>)
    /// runs even when automatic reviews are off or the base branch is not listed; drafts and forks are skipped either way.
    /// </summary>
    public string? SkipReason(ReviewJob job, GitHubPullRequest pr)
    {
        if (pr.Draft && !ReviewDrafts.Value)
        {
            return $"pull request is a draft: waits for ready_for_review (review_drafts: false, {From(ReviewDrafts.Source)})";
        }

        if (Forks.Value == "skip" && IsFork(pr))
        {
            return $"pull request comes from a fork (forks: skip, {From(Forks.Source)})";
        }

        if (job.RequestedBy is not null)
        {
            return null;
        }

        if (!AutoReviewEnabled.Value)
        {
            return $"automatic reviews are off (auto_review.enabled: false, {From(AutoReviewEnabled.Source)}); ask for one with a command";
        }

        return BaseBranches.Value.Count > 0 && !BaseBranches.Value.Any(b => Glob.IsMatch("/" + b.TrimStart('/'), pr.Base.Ref))
            ? $"base branch {pr.Base.Ref} is not in auto_review.base_branches ({From(BaseBranches.Source)})"
            : null;
    }

    internal static bool IsFork(GitHubPullRequest pr) =>
        pr.Head.Repo is not { } head || pr.Base.Repo is not { } bas || !string.Equals(head.FullName, bas.FullName, StringComparison.OrdinalIgnoreCase);

    internal static string From(ConfigSource source) => source switch
    {
        ConfigSource.File => "from .nectr.yml",
        ConfigSource.Dashboard => "from the dashboard",
        _ => "the server's setting",
    };

    private static ConfigValue<T> Pick<T>(T? file, T? dashboard, T fallback)
        where T : class? =>
        file is not null ? new(file, ConfigSource.File) : dashboard is not null ? new(dashboard, ConfigSource.Dashboard) : new(fallback, ConfigSource.Server);

    private static ConfigValue<T> PickValue<T>(T? file, T? dashboard, T fallback)
        where T : struct =>
        file is { } f ? new(f, ConfigSource.File) : dashboard is { } d ? new(d, ConfigSource.Dashboard) : new(fallback, ConfigSource.Server);
}
