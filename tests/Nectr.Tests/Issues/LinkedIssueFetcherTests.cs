using Microsoft.Extensions.DependencyInjection;
using Nectr.Engine.Context;
using Nectr.Issues;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Issues.IssueTestKit;

namespace Nectr.Tests.Issues;

/// <summary>
/// Linked issues read from GitHub (the fake, which fails on any call it does not expect): references in the title,
/// description and commit messages, at most five, each from its own repository; every failure a named reason, never
/// an exception; and the calls a PR with one linked issue costs.
/// </summary>
public sealed class LinkedIssueFetcherTests
{
    private const string Owner = "acme";
    private const string Repo = "api";
    private const int Pull = 40;
    private const string Forbidden = """{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest"}""";

    private static async Task<LinkedIssuesResult> FetchAsync(NectrApp app, string title, string? body, CancellationToken? cancellationToken = null)
    {
        await using var scope = app.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<LinkedIssueFetcher>().FetchAsync(Owner, Repo, Pull, title, body, cancellationToken ?? Ct);
    }

    private static async Task<(FakeGitHub GitHub, TestDatabase Database, NectrApp App)> StartAsync(params string[] commitMessages)
    {
        var github = await FakeGitHub.StartAsync();
        var database = await TestDatabase.CreateAsync("sqlite");
        var app = new NectrApp(database, github.ApiUrl, github.Token, NoWorker);
        github.AddPullRequest(Owner, Repo, Pull, new string('a', 40), []).CommitMessages = commitMessages;
        return (github, database, app);
    }

    private static IReadOnlyList<string> RepoReads(FakeGitHub github) =>
        [.. github.Requests.Where(r => r.Path.StartsWith("/repos/", StringComparison.Ordinal)).Select(r => $"{r.Method} {r.Path}")];

    [Fact]
    public async Task A_pr_with_one_linked_issue_costs_two_github_calls_and_gets_the_issues_title_state_and_body()
    {
        var (github, database, app) = await StartAsync("Update files");
        await using var _ = github;
        await using var __ = database;
        await using var ___ = app;
        github.AddIssue(Owner, Repo, new FakeIssue(12, "Login loops after the token expires", "Steps: sign in, wait an hour.\0 " + new string('x', 10_000)));

        var result = await FetchAsync(app, "Refresh tokens", "Fixes #12");

        Assert.Equal(["GET /repos/acme/api/pulls/40/commits", "GET /repos/acme/api/issues/12"], RepoReads(github));
        var issue = Assert.Single(result.Issues);
        Assert.Equal(new LinkedIssue(new IssueReference(Owner, Repo, 12), "Login loops after the token expires"), issue.Issue);
        Assert.Equal("open", issue.State);
        Assert.Equal(LinkedIssueFetcher.MaxBodyChars, issue.Body.Length);
        Assert.StartsWith("Steps: sign in, wait an hour. x", issue.Body, StringComparison.Ordinal);
        Assert.Equal([issue.Issue], result.Linked);
        Assert.Null(result.Missing);
        github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task References_in_title_body_and_commits_are_read_at_most_five_and_another_repositorys_issue_is_named_but_never_read()
    {
        var (github, database, app) = await StartAsync("Fix #5 in the parser", "resolves #6", "Closes #7");
        await using var _ = github;
        await using var __ = database;
        await using var ___ = app;
        foreach (var n in new[] { 1, 2, 4, 5, 6, 7 })
        {
            github.AddIssue(Owner, Repo, new FakeIssue(n, $"Issue {n}"));
        }

        github.AddIssue("other", "lib", new FakeIssue(3, "Library issue 3"));

        var result = await FetchAsync(app, "Closes #1", "Fixes #2\nAlso resolves other/lib#3 and fixes https://github.com/acme/api/issues/4");

        Assert.Equal(["#1", "#2", "other/lib#3", "#4", "#5"], result.Issues.Select(i => i.Issue.Issue.ShortForm(Owner, Repo)));
        Assert.Equal(LinkedIssueFetcher.OtherRepository, result.Issues[2].Issue.Title);
        Assert.Equal("", result.Issues[2].Body);
        Assert.Equal(5, RepoReads(github).Count);
        Assert.DoesNotContain(RepoReads(github), r => r.Contains("/other/lib/", StringComparison.Ordinal));
        Assert.Null(result.Missing);
        github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_missing_issue_is_named_and_a_reference_to_a_pull_request_is_left_out()
    {
        var (github, database, app) = await StartAsync();
        await using var _ = github;
        await using var __ = database;
        await using var ___ = app;
        github.AddIssue(Owner, Repo, new FakeIssue(12, "Real issue"));
        github.AddIssue(Owner, Repo, new FakeIssue(14, "A pull request", IsPullRequest: true));

        var result = await FetchAsync(app, "Cleanup", "Fixes #12, fixes #13, fixes #14");

        Assert.Equal([12, 13, 14], result.References.Select(r => r.Number));
        Assert.Equal([12], result.Issues.Select(i => i.Issue.Issue.Number));
        Assert.Equal("issue #13 not found", result.Missing);
    }

    [Fact]
    public async Task Commits_failing_still_lets_title_and_body_references_through_and_each_failure_is_named()
    {
        var (github, database, app) = await StartAsync("Fixes #9");
        await using var _ = github;
        await using var __ = database;
        await using var ___ = app;
        github.AddIssue(Owner, Repo, new FakeIssue(12, "From the body"));
        github.AddIssue(Owner, Repo, new FakeIssue(15, "Unreadable"));
        github.FailNext(FakeGitHub.PathEndsWith("GET", "/pulls/40/commits"), 1, 403, Forbidden);
        github.FailNext(FakeGitHub.PathEndsWith("GET", "/issues/15"), 1, 403, Forbidden);

        var result = await FetchAsync(app, "Fix #15", "Closes #12");

        Assert.Equal([15, 12], result.References.Select(r => r.Number));
        Assert.Equal([12], result.Issues.Select(i => i.Issue.Issue.Number));
        Assert.Equal("commit messages not read (GitHub 403); issue #15 not read (GitHub 403)", result.Missing);
        Assert.DoesNotContain(RepoReads(github), r => r.EndsWith("/issues/9", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_callers_cancellation_is_the_one_exception()
    {
        var (github, database, app) = await StartAsync();
        await using var _ = github;
        await using var __ = database;
        await using var ___ = app;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => FetchAsync(app, "Fixes #1", null, cancelled.Token));
    }
}
