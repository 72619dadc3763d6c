using Nectr.Engine.Context;
using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

/// <summary>The review body's context sections, rendered by <see cref="ReviewEngine.Finish"/> from an optional <see cref="ReviewContext"/>.</summary>
public sealed class ContextSectionsTests
{
    private static readonly ReviewRequest Request = new("octo", "app", 9, "Refresh tokens", "abc123", 7,
        [new PullRequestFile("src/Auth.cs", "modified", 1, 0, "@@ -1,1 +1,2 @@\n a\n+b", null)], 1, ReviewSettings.Default);

    private static readonly IssueCandidate[] Candidates = [new(14, "Token refresh race", 3.2), new(15, "Login loop", 2.1), new(16, "Slow login", 1.5)];

    private static ModelAnswer Answer(params ModelResolution[] resolves) => new("Refreshes tokens.", [], [], 4) { Resolves = resolves };

    private static string Body(ReviewContext? context, ModelAnswer? answer = null) =>
        ReviewEngine.Finish(new ReviewEngine().Prepare(Request), answer is null ? null : new AiOutcome("m", answer, [], [], LlmUsage.None), context).Body;

    [Fact]
    public void All_four_sections_are_rendered_between_the_summary_and_the_coverage()
    {
        var context = new ReviewContext
        {
            LinkedIssues = [new(new IssueReference("octo", "app", 12), "Login fails after an hour"), new(new IssueReference("other", "lib", 3), "Expose the refresh hook")],
            Candidates = Candidates,
            RelatedPullRequests = [new(40, "Add token cache", Verdict.RequestChanges, ["src/Auth.cs"]), new(41, "Initial auth", null, ["src/Auth.cs", "src/Login.cs"])],
            OpenConflicts = [new(45, "Rework auth", ["src/Auth.cs"])],
        };

        var body = Body(context, Answer(new ModelResolution(15, 4, "The loop ends once the token is refreshed."), new ModelResolution(14, 5, "")));

        Assert.Equal("""
            ## Nectr review

            **Verdict: approve** — no findings

            Refreshes tokens.

            ### Resolved issues

            - #12 — Login fails after an hour
            - other/lib#3 — Expose the refresh hook

            ### Potentially resolves

            - #14 — Token refresh race (confidence 5/5)
            - #15 — Login loop (confidence 4/5): The loop ends once the token is refreshed.

            ### Related past work

            - #40 — Add token cache (request changes; shared: `src/Auth.cs`)
            - #41 — Initial auth (not reviewed by Nectr; shared: `src/Auth.cs`, `src/Login.cs`)

            ### May conflict with open PRs

            - #45 — Rework auth (shared: `src/Auth.cs`)

            ### Coverage

            Reviewed 1 of 1 file.

            The model saw 1 of the 1 reviewed file in full.

            <sub>Reviewed by `m` and the built-in checks: leaked secrets (gitleaks rules) and merge-conflict markers, on added lines · 0 model calls · 0 input + 0 output tokens · $0.0000 · confidence 4/5. The verdict is computed from the findings; the model cannot approve.</sub>

            <!-- nectr:review head=abc123 job=7 -->

            """, body);
    }

    [Fact]
    public void Without_context_the_body_is_unchanged()
    {
        Assert.Equal(Body(null, Answer()), Body(ReviewContext.Empty, Answer(new ModelResolution(14, 5, "x"))));
        Assert.DoesNotContain("###", Body(null).Replace("### Coverage", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public void Only_confident_claims_on_offered_candidates_that_are_not_linked_count()
    {
        var context = new ReviewContext
        {
            LinkedIssues = [new(new IssueReference("octo", "app", 16), "Slow login")],
            Candidates = Candidates,
        };
        var answer = Answer(
            new ModelResolution(14, 3, "not sure"), // too unsure
            new ModelResolution(99, 5, "invented"), // never offered
            new ModelResolution(16, 5, "linked already"),
            new ModelResolution(15, 4, "yes"));

        var body = Body(context, answer);

        Assert.Contains("### Potentially resolves\n\n- #15 — Login loop (confidence 4/5): yes\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("#14", body, StringComparison.Ordinal);
        Assert.DoesNotContain("#99", body, StringComparison.Ordinal);
        Assert.Equal(2, body.Split("#16").Length); // under Resolved issues only
    }

    [Fact]
    public void Without_a_model_answer_nothing_is_potentially_resolved()
    {
        var body = Body(new ReviewContext { Candidates = Candidates });

        Assert.DoesNotContain("Potentially resolves", body, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_from_GitHub_and_the_model_is_made_inert()
    {
        var context = new ReviewContext
        {
            LinkedIssues = [new(new IssueReference("octo", "app", 12), "@admin <img src=x onerror=alert(1)> ![p](https://evil.example/x.png)\n/approve")],
            Candidates = [new(14, "[click](https://evil.example) @team", 2)],
            RelatedPullRequests = [new(40, "<!-- nectr:review head=abc123 job=7 -->", Verdict.Approve, ["a`b.cs", "x\ny.cs"])],
            OpenConflicts = [new(45, "", [.. Enumerable.Range(1, 8).Select(i => $"f{i}.cs")])],
        };
        var answer = Answer(new ModelResolution(14, 4, "See https://evil.example/?q=secret and ping @octocat"));

        var body = Body(context, answer);

        Assert.Contains("- #12 — @\u200Badmin &lt;img src=x onerror=alert(1)&gt; p /approve\n", body, StringComparison.Ordinal);
        Assert.Contains("- #14 — click @\u200Bteam (confidence 4/5): See `evil.example/?q=secret` and ping @\u200Boctocat\n", body, StringComparison.Ordinal);
        Assert.Contains("- #40 — &lt;!-- nectr\u200B:review head=abc123 job=7 --&gt; (approve;", body, StringComparison.Ordinal);
        Assert.DoesNotContain("https://evil.example", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" @octocat", body, StringComparison.Ordinal);
        Assert.Single(body.Split('\n'), l => l.StartsWith("<!-- nectr:review", StringComparison.Ordinal));
        Assert.Contains("shared: `a'b.cs`, `x y.cs`)", body, StringComparison.Ordinal);
        Assert.Contains("- #45 — (no title) (shared: `f1.cs`, `f2.cs`, `f3.cs`, `f4.cs`, `f5.cs` and 3 more)\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reference_GitHub_would_not_accept_is_written_as_code_and_long_lists_are_counted()
    {
        var context = new ReviewContext
        {
            LinkedIssues = [.. Enumerable.Range(1, 7).Select(i => new LinkedIssue(new IssueReference(i == 1 ? "@evil org" : "octo", "app", i), $"Issue {i}"))],
        };

        var body = Body(context);

        Assert.Contains("- `@evil org/app#1` — Issue 1\n- #2 — Issue 2\n", body, StringComparison.Ordinal);
        Assert.Contains("- #5 — Issue 5\n- … and 2 more\n\n", body, StringComparison.Ordinal);
        Assert.DoesNotContain("#6", body, StringComparison.Ordinal);
    }
}

/// <summary>The coverage line that names the context a review went without.</summary>
public sealed class ContextGapsTests
{
    private static readonly ReviewRequest Request = new("octo", "app", 9, "Refresh tokens", "abc123", 7,
        [new PullRequestFile("src/Auth.cs", "modified", 1, 0, "@@ -1,1 +1,2 @@\n a\n+b", null)], 1, ReviewSettings.Default);

    private static ReviewResult Finish(params ContextGap[] gaps) =>
        ReviewEngine.Finish(new ReviewEngine().Prepare(Request), null, new ReviewContext { Gaps = gaps });

    [Fact]
    public void Each_missing_source_is_named_with_its_reason_in_the_coverage_section()
    {
        var result = Finish(new ContextGap("linked issues", "GitHub answered 502"), new ContextGap("project memory", "timed out after 10 s"));

        Assert.Contains("### Coverage\n\nReviewed 1 of 1 file.\n\nReviewed without: linked issues (GitHub answered 502); project memory (timed out after 10 s).\n", result.Body, StringComparison.Ordinal);
        Assert.Equal(2, result.Coverage.ContextGaps.Count);
        Assert.Contains("Reviewed without: linked issues", result.BodyWithoutInline, StringComparison.Ordinal);
    }

    [Fact]
    public void No_gap_no_line()
    {
        Assert.DoesNotContain("Reviewed without", Finish().Body, StringComparison.Ordinal);
    }

    [Fact]
    public void A_reason_that_quotes_an_outside_message_cannot_mention_link_or_format()
    {
        var body = Finish(new ContextGap("linked issues", "GitHub said: @octocat see [here](https://evil.example) <img src=x> `code` _em_ DATABASE_URL\nsecond line")).Body;

        var line = body.Split('\n').Single(l => l.StartsWith("Reviewed without:", StringComparison.Ordinal));
        Assert.DoesNotContain("@", line, StringComparison.Ordinal);
        Assert.DoesNotContain("](", line, StringComparison.Ordinal);
        Assert.DoesNotContain("://", line, StringComparison.Ordinal);
        Assert.DoesNotContain("<", line, StringComparison.Ordinal);
        Assert.DoesNotContain("`", line, StringComparison.Ordinal);
        Assert.Contains("em DATABASE_URL second line", line, StringComparison.Ordinal);
    }
}
