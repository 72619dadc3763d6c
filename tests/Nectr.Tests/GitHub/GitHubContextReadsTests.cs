using Microsoft.Extensions.DependencyInjection;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHub;

/// <summary>The reads behind a review's context (issues, commits, PR lists, files at a ref, trees) against the fake, through the real pipeline.</summary>
public sealed class GitHubContextReadsTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private AsyncServiceScope _scope;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private IGitHubApi Api => _scope.ServiceProvider.GetRequiredService<IGitHubApi>();

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
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
    public async Task An_issue_is_read_and_a_missing_one_is_a_404()
    {
        _github.AddIssue("octo", "app", new FakeIssue(12, "Crash on empty input", "Steps: send ''", Labels: ["bug"]));

        var issue = await Api.GetIssueAsync("octo", "app", 12, Ct);
        var missing = await Assert.ThrowsAsync<GitHubApiException>(() => Api.GetIssueAsync("octo", "app", 13, Ct));

        Assert.Equal(("Crash on empty input", "Steps: send ''", "open", false), (issue.Title, issue.Body, issue.State, issue.IsPullRequest));
        Assert.Equal(["bug"], issue.Labels!.Select(l => l.Name));
        Assert.Equal(System.Net.HttpStatusCode.NotFound, missing.Status);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Issue_pages_follow_GitHubs_link_and_mark_pull_requests()
    {
        for (var i = 1; i <= 150; i++)
        {
            _github.AddIssue("octo", "app", new FakeIssue(i, $"Issue {i}", IsPullRequest: i == 150) { UpdatedAt = DateTimeOffset.UnixEpoch.AddDays(i) });
        }

        _github.AddIssue("octo", "app", new FakeIssue(500, "Closed one", State: "closed"));

        var first = await Api.ListIssuesPageAsync("octo", "app", "open", 1, Ct);
        var second = await Api.ListIssuesPageAsync("octo", "app", "open", 2, Ct);

        Assert.Equal((100, true), (first.Items.Count, first.HasNext));
        Assert.Equal((50, false), (second.Items.Count, second.HasNext));
        Assert.True(first.Items[0].IsPullRequest);
        Assert.DoesNotContain(first.Items.Concat(second.Items), i => i.Number == 500);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Closed_pull_requests_come_with_author_and_merge_time()
    {
        var merged = DateTimeOffset.Parse("2026-11-01T10:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var pr = _github.AddPullRequest("octo", "app", 7, new string('c', 40), [], state: "closed", title: "Old work");
        pr.Author = "alice";
        pr.MergedAt = merged;
        _github.AddPullRequest("octo", "app", 8, new string('d', 40), []);

        var page = await Api.ListPullRequestsPageAsync("octo", "app", "closed", 1, Ct);

        var only = Assert.Single(page.Items);
        Assert.Equal((7, "Old work", "alice", merged), (only.Number, only.Title, only.User!.Login, only.MergedAt));
        Assert.False(page.HasNext);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Commit_messages_are_read_in_one_call()
    {
        var pr = _github.AddPullRequest("octo", "app", 3, new string('e', 40), []);
        pr.CommitMessages = ["Add parser", "Fix edge case\n\nFixes #12"];

        var commits = await Api.ListPullRequestCommitsAsync("octo", "app", 3, Ct);

        Assert.Equal(["Add parser", "Fix edge case\n\nFixes #12"], commits.Select(c => c.Commit.Message));
        Assert.Single(_github.Requests, r => r.Path.EndsWith("/commits", StringComparison.Ordinal));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_file_is_read_at_a_ref_and_a_missing_or_oversized_one_says_so()
    {
        var head = new string('f', 40);
        _github.AddFile("octo", "app", "src/Parser.cs", "class Parser { /* ünïcode */ }\n" + new string('x', 200), head);

        var file = await Api.GetFileTextAsync("octo", "app", "src/Parser.cs", head, 10_000, Ct);
        var small = await Api.GetFileTextAsync("octo", "app", "src/Parser.cs", head, 10, Ct);
        var missing = await Api.GetFileTextAsync("octo", "app", "src/Parser.cs", null, 10_000, Ct);

        Assert.StartsWith("class Parser { /* ünïcode */ }", file!.Text, StringComparison.Ordinal);
        Assert.Null(small!.Text);
        Assert.True(small.Size > 10);
        Assert.Null(missing);
        Assert.Contains(_github.Requests, r => r.PathAndQuery.Contains("ref=" + head, StringComparison.Ordinal));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_default_branch_and_its_tree_are_read()
    {
        _github.DefaultBranch = "trunk";
        _github.AddFile("octo", "app", "README.md", "# App");
        _github.AddFile("octo", "app", "src/App.csproj", "<Project />");

        var repository = await Api.GetRepositoryInfoAsync("octo", "app", Ct);
        var top = await Api.GetTreeAsync("octo", "app", repository.DefaultBranch, recursive: false, Ct);
        var all = await Api.GetTreeAsync("octo", "app", repository.DefaultBranch, recursive: true, Ct);

        Assert.Equal("trunk", repository.DefaultBranch);
        Assert.Equal(["README.md", "src"], top.Tree.Select(e => e.Path));
        Assert.Equal(["README.md", "src", "src/App.csproj"], all.Tree.Select(e => e.Path));
        Assert.Equal(11, all.Tree.Single(e => e.Path == "src/App.csproj").Size);
        _github.AssertNoUnexpectedCalls();
    }
}
