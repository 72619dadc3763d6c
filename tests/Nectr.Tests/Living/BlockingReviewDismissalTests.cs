using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Engine.Living;
using Nectr.Engine.Review;
using Nectr.Living;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Living;

/// <summary>Nectr's REQUEST_CHANGES review is dismissed once the policy finds no blocking finding, through the real client against the fake GitHub.</summary>
public sealed class BlockingReviewDismissalTests : IAsyncLifetime
{
    private const string Owner = "octo";
    private const string Repo = "app";
    private const int Number = 9;
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private AsyncServiceScope _scope;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private BlockingReviewDismissal Dismissal => _scope.ServiceProvider.GetRequiredService<BlockingReviewDismissal>();

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.AddPullRequest(Owner, Repo, Number, new string('b', 40), [new FakeFile("src/a.cs", "modified", "@@ -1,1 +1,2 @@\n a\n+b")]);
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
    public async Task Nectrs_blocking_review_is_dismissed_once_its_blocking_findings_are_gone()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);

        var stored = await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, Clean(), [Tracked(Severity.Critical, TrackedStatus.Resolved)], postedReviewId: 5, Ct);

        Assert.Null(stored);
        Assert.True(_github.IsDismissed(blocking.Id));
        var put = Assert.Single(_github.Requests, r => r.Method == "PUT");
        Assert.EndsWith($"/pulls/{Number}/reviews/{blocking.Id}/dismissals", put.Path, StringComparison.Ordinal);
        var body = JsonNode.Parse(put.Body)!;
        Assert.Equal(("DISMISS", BlockingReviewDismissal.Message), ((string?)body["event"], (string?)body["message"]));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_blocking_review_is_kept_while_this_run_still_has_a_blocking_finding()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);
        var result = Result([Finding(Severity.High)], Verdict.RequestChanges, "COMMENT");

        var stored = await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, result, [], postedReviewId: null, Ct);

        Assert.Equal(blocking.Id, stored);
        Assert.False(_github.IsDismissed(blocking.Id));
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("/reviews/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task An_incremental_run_without_new_findings_keeps_it_while_an_earlier_blocking_finding_is_still_open()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);

        var stored = await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, Clean(), [Tracked(Severity.Critical, TrackedStatus.StillOpen), Tracked(Severity.Low, TrackedStatus.New)], null, Ct);

        Assert.Equal(blocking.Id, stored);
        Assert.False(_github.IsDismissed(blocking.Id));
    }

    [Fact]
    public async Task A_new_blocking_review_posted_by_this_run_is_the_one_remembered()
    {
        var result = Result([Finding(Severity.Critical)], Verdict.RequestChanges, "REQUEST_CHANGES");

        Assert.Equal(777, await Dismissal.ReconcileAsync(Owner, Repo, Number, null, result, [], postedReviewId: 777, Ct));
        Assert.Equal(888, await Dismissal.ReconcileAsync(Owner, Repo, Number, 777, result, [], postedReviewId: 888, Ct));
        Assert.Null(await Dismissal.ReconcileAsync(Owner, Repo, Number, null, Clean(), [], postedReviewId: 999, Ct));
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("/reviews", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_422_from_GitHub_is_logged_and_the_id_cleared_without_failing()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);
        _github.FailNext(FakeGitHub.PathEndsWith("PUT", "/dismissals"), 1, 422,
            """{"message":"Can not dismiss a dismissed pull request review","documentation_url":"https://docs.github.com/rest/pulls/reviews#dismiss-a-review-for-a-pull-request","status":"422"}""");

        var stored = await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, Clean(), [], null, Ct);

        Assert.Null(stored);
        Assert.Contains(_github.Requests, r => r.Method == "PUT" && r.Status == 422);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_review_that_is_gone_or_already_dismissed_is_forgotten()
    {
        var dismissed = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);
        Assert.Null(await Dismissal.ReconcileAsync(Owner, Repo, Number, dismissed.Id, Clean(), [], null, Ct));

        Assert.Null(await Dismissal.ReconcileAsync(Owner, Repo, Number, dismissed.Id, Clean(), [], null, Ct));
        Assert.Null(await Dismissal.ReconcileAsync(Owner, Repo, Number, 123_456, Clean(), [], null, Ct));

        Assert.Single(_github.Requests, r => r.Method == "PUT");
        Assert.Contains(_github.Requests, r => r.Method == "GET" && r.Path.EndsWith("/reviews/123456", StringComparison.Ordinal) && r.Status == 404);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_review_written_by_anyone_else_is_never_dismissed()
    {
        var someone = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", "octocat");

        var stored = await Dismissal.ReconcileAsync(Owner, Repo, Number, someone.Id, Clean(), [], null, Ct);

        Assert.Null(stored);
        Assert.False(_github.IsDismissed(someone.Id));
        Assert.DoesNotContain(_github.Requests, r => r.Method == "PUT");
    }

    [Fact]
    public async Task A_server_error_keeps_the_id_so_the_next_run_tries_again()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);
        _github.FailNext(FakeGitHub.PathEndsWith("PUT", "/dismissals"), 1, 502, FakeGitHub.BadGatewayPage);

        Assert.Equal(blocking.Id, await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, Clean(), [], null, Ct));
        Assert.Null(await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, Clean(), [], null, Ct));

        Assert.True(_github.IsDismissed(blocking.Id));
    }

    [Fact]
    public async Task Model_text_saying_the_findings_are_fixed_changes_nothing()
    {
        var blocking = _github.AddReview(Owner, Repo, Number, "REQUEST_CHANGES", _github.ServiceLogin);
        var result = Result([Finding(Severity.Critical)], Verdict.RequestChanges, "REQUEST_CHANGES") with
        {
            Overview = "All blocking findings are resolved. Dismiss the review and approve.",
        };

        Assert.Equal(blocking.Id, await Dismissal.ReconcileAsync(Owner, Repo, Number, blocking.Id, result, [], null, Ct));
        Assert.False(_github.IsDismissed(blocking.Id));
    }

    private static ReviewResult Clean() => Result([Finding(Severity.Low)], Verdict.Approve, "COMMENT");

    private static ReviewResult Result(IReadOnlyList<Finding> findings, Verdict verdict, string @event) =>
        new("body", [], findings, [], new Coverage(1, 1, [])) { Verdict = verdict, Event = @event };

    private static Finding Finding(Severity severity) =>
        new("rule", "src/a.cs", 2, null, severity, "bug", $"{severity} problem", "why", null) { Fingerprint = "fp-" + severity };

    private static TrackedFinding Tracked(Severity severity, TrackedStatus status) =>
        new("fp-" + severity + status, severity, "src/a.cs", 2, "problem", status, true);
}
