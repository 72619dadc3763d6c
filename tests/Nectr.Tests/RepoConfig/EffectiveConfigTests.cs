using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.RepoConfig;

namespace Nectr.Tests.RepoConfig;

/// <summary>Per key: the file on the default branch wins over the dashboard, which wins over the server; and what each key does to a job.</summary>
public sealed class EffectiveConfigTests
{
    private static readonly ReviewOptions Server = new() { MaxInlineCommentsText = "20", InlineThresholdText = "low", BlockingReviewsText = "false" };

    private static RepoSettings File(string yaml) => NectrConfigFile.Parse(yaml).Settings!;

    private static ReviewJob Job(string? requestedBy = null) => new() { RepositoryFullName = "o/r", PullNumber = 1, HeadSha = "abc", RequestedBy = requestedBy };

    private static GitHubPullRequest Pr(bool draft = false, string baseRef = "main", string headRepo = "o/r") => new(
        1, "open", draft, "t", null,
        new GitHubBranchRef("abc", "topic", new GitHubRepoRef(2, headRepo)),
        new GitHubBranchRef("def", baseRef, new GitHubRepoRef(1, "o/r", "main")),
        1, false, "https://github.com/o/r/pull/1", null);

    [Fact]
    public void The_file_wins_over_the_dashboard_per_key_and_the_server_fills_the_rest()
    {
        var config = EffectiveConfig.Resolve(File("max_inline_comments: 3\nprofile: chill"), File("max_inline_comments: 9\nblocking: true\nlanguage: fr"), Server, null, "main");

        Assert.Equal(new ConfigValue<int>(3, ConfigSource.File), config.MaxInlineComments);
        Assert.Equal(new ConfigValue<string?>("chill", ConfigSource.File), config.Profile);
        Assert.Equal(new ConfigValue<bool>(true, ConfigSource.Dashboard), config.Blocking);
        Assert.Equal(new ConfigValue<string?>("fr", ConfigSource.Dashboard), config.Language);
        Assert.Equal(ConfigSource.Server, config.SeverityThreshold.Source);
        Assert.Equal(ConfigSource.Server, config.Forks.Source);
    }

    [Fact]
    public void The_settings_reach_the_engine()
    {
        var settings = EffectiveConfig.Resolve(File("""
            severity_threshold: medium
            max_inline_comments: 4
            blocking: true
            ignore: ["gen/**"]
            path_instructions: [{path: "src/**", instructions: "Validate."}]
            profile: assertive
            language: de
            """), null, Server, null, "main").ReviewSettings();

        Assert.Equal((4, Severity.Nit, true, Severity.Medium), (settings.MaxInlineComments, settings.InlineThreshold, settings.BlockingReviews, settings.SeverityThreshold));
        Assert.Equal(["gen/**"], settings.Ignore);
        Assert.Equal("ignored by .nectr.yml", settings.IgnoreReason);
        Assert.Equal((ReviewProfile.Assertive, "de"), (settings.Guidance.Profile, settings.Guidance.Language));
        Assert.Equal(new PathInstruction("src/**", "Validate."), Assert.Single(settings.Guidance.PathInstructions));
    }

    [Fact]
    public void Chill_keeps_minor_findings_in_the_body_and_no_file_keeps_the_servers_settings()
    {
        var chill = EffectiveConfig.Resolve(File("profile: chill"), null, Server, null, "main").ReviewSettings();
        var none = EffectiveConfig.Resolve(null, null, Server, null, "main").ReviewSettings();
        var dashboardIgnore = EffectiveConfig.Resolve(null, File("ignore: [a]"), Server, null, "main").ReviewSettings();

        Assert.Equal(Severity.Medium, chill.InlineThreshold);
        Assert.Equal((20, Severity.Low, false, Severity.Nit, ReviewProfile.Standard), (none.MaxInlineComments, none.InlineThreshold, none.BlockingReviews, none.SeverityThreshold, none.Guidance.Profile));
        Assert.Equal("ignored by the repository's settings on Nectr's dashboard", dashboardIgnore.IgnoreReason);
    }

    [Fact]
    public void Automatic_reviews_off_skip_pushes_but_not_a_review_a_person_asked_for()
    {
        var config = EffectiveConfig.Resolve(File("auto_review: {enabled: false}"), null, Server, null, "main");

        Assert.Contains("automatic reviews are off", config.SkipReason(Job(), Pr()), StringComparison.Ordinal);
        Assert.Null(config.SkipReason(Job(requestedBy: "octocat"), Pr()));
    }

    [Fact]
    public void Base_branches_decide_which_pull_requests_are_reviewed_automatically()
    {
        var config = EffectiveConfig.Resolve(File("auto_review: {base_branches: [main, 'release/*']}"), null, Server, null, "main");

        Assert.Null(config.SkipReason(Job(), Pr(baseRef: "main")));
        Assert.Null(config.SkipReason(Job(), Pr(baseRef: "release/2.0")));
        Assert.Equal("base branch develop is not in auto_review.base_branches (from .nectr.yml)", config.SkipReason(Job(), Pr(baseRef: "develop")));
        Assert.NotNull(config.SkipReason(Job(), Pr(baseRef: "feature/main")));
        Assert.Null(config.SkipReason(Job(requestedBy: "octocat"), Pr(baseRef: "develop")));
    }

    [Fact]
    public void Drafts_and_forks_follow_their_keys()
    {
        var defaults = EffectiveConfig.Resolve(null, null, Server, null, "main");
        var drafts = EffectiveConfig.Resolve(File("review_drafts: true"), null, Server, null, "main");
        var noForks = EffectiveConfig.Resolve(null, File("forks: skip"), Server, null, "main");

        Assert.Contains("draft", defaults.SkipReason(Job(), Pr(draft: true)), StringComparison.Ordinal);
        Assert.Null(drafts.SkipReason(Job(), Pr(draft: true)));
        Assert.Null(defaults.SkipReason(Job(), Pr(headRepo: "stranger/r")));
        Assert.Equal("pull request comes from a fork (forks: skip, from the dashboard)", noForks.SkipReason(Job(), Pr(headRepo: "stranger/r")));
        Assert.Null(noForks.SkipReason(Job(), Pr()));
    }
}
