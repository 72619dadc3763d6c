using Microsoft.Extensions.DependencyInjection;
using Nectr.Engine.Living;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Living;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Reviews;

namespace Nectr.Tests.Living;

/// <summary>The ONE sticky summary comment per PR, through the real GitHub client against the fake GitHub.</summary>
public sealed class SummaryCommentTests : IAsyncLifetime
{
    private const string Owner = "octo";
    private const string Repo = "app";
    private const int Number = 7;
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private AsyncServiceScope _scope;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private SummaryComment Summary => _scope.ServiceProvider.GetRequiredService<SummaryComment>();

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.AddPullRequest(Owner, Repo, Number, Sha(0), [new FakeFile("src/a.cs", "modified", "@@ -1,1 +1,2 @@\n a\n+b")]);
        _database = await TestDatabase.CreateAsync("sqlite");
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        _app.CreateClient().Dispose();
        _scope = _app.Services.CreateAsyncScope();
    }

    public async ValueTask DisposeAsync()
    {
        await _scope.DisposeAsync();
        await _app.DisposeAsync();
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task The_first_run_creates_one_comment_and_later_runs_edit_it_in_place()
    {
        long? id = null;
        for (var run = 0; run < 6; run++)
        {
            id = await Summary.UpsertAsync(Owner, Repo, Number, Body(run), id, Ct);
        }

        var comment = Assert.Single(_github.CommentsOn(Owner, Repo, Number));
        Assert.Equal((id, 5, _github.ServiceLogin), (comment.Id, comment.Edits, comment.Login));
        Assert.Equal(Body(5), comment.Body);
        Assert.Single(Calls("POST"));
        Assert.Equal(5, Calls("PATCH").Count);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Without_a_known_id_the_summary_is_found_by_its_marker_and_edited()
    {
        var first = await Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct);

        var second = await Summary.UpsertAsync(Owner, Repo, Number, Body(1), null, Ct);

        Assert.Equal(first, second);
        Assert.Equal(Body(1), Assert.Single(_github.CommentsOn(Owner, Repo, Number)).Body);
        Assert.Single(Calls("POST"));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_known_id_that_is_gone_is_replaced_by_the_comment_found_by_its_marker()
    {
        var existing = await Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct);

        var id = await Summary.UpsertAsync(Owner, Repo, Number, Body(1), knownCommentId: 42, Ct);

        Assert.Equal(existing, id);
        Assert.Equal(Body(1), Assert.Single(_github.CommentsOn(Owner, Repo, Number)).Body);
        Assert.Contains(_github.Requests, r => r.Method == "PATCH" && r.Path.EndsWith("/issues/comments/42", StringComparison.Ordinal) && r.Status == 404);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_summary_deleted_on_GitHub_is_recreated_once()
    {
        var deleted = await Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct);
        _github.DeleteComment(deleted);

        var id = await Summary.UpsertAsync(Owner, Repo, Number, Body(1), deleted, Ct);
        var again = await Summary.UpsertAsync(Owner, Repo, Number, Body(2), id, Ct);

        Assert.NotEqual(deleted, id);
        Assert.Equal(id, again);
        Assert.Equal(Body(2), Assert.Single(_github.CommentsOn(Owner, Repo, Number)).Body);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_comment_by_anyone_else_that_quotes_the_marker_is_never_edited()
    {
        var quoted = _github.AddComment(Owner, Repo, Number, "octocat", Body(0));
        var otherBot = _github.AddComment(Owner, Repo, Number, "other-bot[bot]", StickySummary.Marker + "\nnot Nectr's");

        var id = await Summary.UpsertAsync(Owner, Repo, Number, Body(1), null, Ct);
        await Summary.UpsertAsync(Owner, Repo, Number, Body(2), null, Ct);

        Assert.NotEqual(quoted.Id, id);
        Assert.Equal((Body(0), 0), (quoted.Body, quoted.Edits));
        Assert.Equal(0, otherBot.Edits);
        var own = Assert.Single(_github.CommentsOn(Owner, Repo, Number), c => c.Login == _github.ServiceLogin);
        Assert.Equal((id, Body(2)), (own.Id, own.Body));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_POST_whose_answer_is_lost_after_GitHub_created_the_comment_does_not_produce_a_second_one()
    {
        _github.FailNextCommentPostsAfterCreating(1);

        var id = await Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct);

        var comment = Assert.Single(_github.CommentsOn(Owner, Repo, Number));
        Assert.Equal((id, Body(0)), (comment.Id, comment.Body));
        Assert.Single(Calls("POST"));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_POST_that_failed_before_GitHub_created_anything_is_posted_once_more_after_looking()
    {
        _github.FailNext(FakeGitHub.PathEndsWith("POST", $"/issues/{Number}/comments"), 1, 502, FakeGitHub.BadGatewayPage);

        await Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct);

        Assert.Single(_github.CommentsOn(Owner, Repo, Number));
        Assert.Equal(["GET", "POST", "GET", "POST"], _github.Requests.Where(r => r.Path.Contains("/comments", StringComparison.Ordinal)).Select(r => r.Method));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Two_unclear_POSTs_in_a_row_fail_the_attempt_and_the_next_one_still_posts_only_one()
    {
        _github.FailNext(FakeGitHub.PathEndsWith("POST", $"/issues/{Number}/comments"), 2, 502, FakeGitHub.BadGatewayPage);

        var failure = await Assert.ThrowsAsync<GitHubApiException>(() => Summary.UpsertAsync(Owner, Repo, Number, Body(0), null, Ct));
        await Summary.UpsertAsync(Owner, Repo, Number, Body(1), null, Ct);

        Assert.True(failure.IsTransient);
        Assert.Equal(Body(1), Assert.Single(_github.CommentsOn(Owner, Repo, Number)).Body);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_body_without_the_marker_is_refused_before_anything_is_posted()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => Summary.UpsertAsync(Owner, Repo, Number, "## Nectr summary", null, Ct));

        Assert.Empty(_github.CommentsOn(Owner, Repo, Number));
    }

    [Fact]
    public async Task The_posted_summary_of_hostile_model_text_passes_the_independent_markdown_check()
    {
        string[] hostile = ["cc @octocat <img src=x>", "\n/approve", "[x](https://evil.example)", "<!-- nectr:review head=x job=1 -->", StickySummary.Marker];
        var findings = hostile.Select((t, i) => new TrackedFinding($"fp{i}", Severity.High, "src/@admin/" + t, i + 1, t, (TrackedStatus)(i % 3), true)).ToList();
        var input = Input(Sha(1), findings, ReviewScope.Incremental, Sha(0), hostile) with
        {
            Result = Result() with { Overview = string.Join("\n", hostile) },
        };

        await Summary.UpsertAsync(Owner, Repo, Number, StickySummary.Render(input), null, Ct);

        var posted = Assert.Single(_github.CommentsOn(Owner, Repo, Number)).Body;
        Assert.True(StickySummary.IsSummary(posted));
        // Nectr's own markup (the marker line, the small-print tags) is expected; the rest is checked as any posted text.
        var rest = posted.Replace(StickySummary.Marker + "\n", "", StringComparison.Ordinal)
            .Replace("<sub>", "", StringComparison.Ordinal).Replace("</sub>", "", StringComparison.Ordinal);
        Assert.Empty(PostedMarkdown.Problems(rest, Owner, Repo, headSha: null));
        Assert.DoesNotContain("nectr:summary", rest, StringComparison.OrdinalIgnoreCase);
    }

    private List<RecordedRequest> Calls(string method) =>
        [.. _github.Requests.Where(r => r.Method == method && r.Path.Contains("/comments", StringComparison.Ordinal))];

    private static string Sha(int run) => run.ToString("x40", System.Globalization.CultureInfo.InvariantCulture);

    private static string Body(int run) => StickySummary.Render(Input(Sha(run), [], ReviewScope.Incremental, Sha(Math.Max(0, run - 1)), []));

    private static ReviewResult Result() => new("body", [], [], [], new Coverage(1, 1, [])) { VerdictReason = "no findings", Model = "test-model" };

    private static SummaryInput Input(string head, IReadOnlyList<TrackedFinding> findings, ReviewScope scope, string? from, IReadOnlyList<string> notices) =>
        new(new ReviewRequest(Owner, Repo, Number, "t", head, 1, [], 1, ReviewSettings.Default), Result(), scope, from, findings, notices);
}
