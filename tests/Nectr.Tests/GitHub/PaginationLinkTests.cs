using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Repos;

namespace Nectr.Tests.GitHub;

/// <summary>
/// A token never follows a pagination link off GITHUB_API_URL, for the service's token (a PR's files) and a signed-in
/// user's (their repositories) alike: the next page is at "another host" (a second fake on another port, which
/// records whatever reaches it), and nothing reaches it.
/// </summary>
public sealed class PaginationLinkTests
{
    private const string HeadSha = "1111222233334444555566667777888899990000";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_files_page_link_to_another_host_parks_the_job_at_once_and_the_service_token_never_goes_there()
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var elsewhere = await FakeGitHub.StartAsync();
        github.PageLinkBase = elsewhere.ApiUrl;
        github.AddPullRequest("octo", "paged", 4, HeadSha,
            Enumerable.Range(0, 150).Select(i => new FakeFile($"src/f{i}.txt", "added", "@@ -0,0 +1 @@\n+x")));
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();

        using var accepted = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo", "paged", 4, HeadSha, 4040), NectrApp.WebhookSecret), Ct);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Parked, Ct), what: "the job to be parked");

        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(1, job.Attempts); // not a transient failure: retrying would only ask again for the same link
        Assert.Contains("outside GITHUB_API_URL", job.OutcomeReason, StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
        Assert.Empty(github.AllReviews());
    }

    [Fact]
    public async Task A_repositories_page_link_to_another_host_answers_a_problem_and_the_users_token_never_goes_there()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        await using var elsewhere = await FakeGitHub.StartAsync();
        using var client = await kit.UserAsync("octocat", 583231);
        for (var i = 0; i < 130; i++)
        {
            kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository("octo-org", $"repo-{i}", 1000 + i), admin: false);
        }

        kit.GitHub.PageLinkBase = elsewhere.ApiUrl;

        using var list = await client.GetAsync("/api/v1/repos", Ct);

        Assert.False(list.IsSuccessStatusCode, $"answered {(int)list.StatusCode}");
        Assert.Contains("outside GITHUB_API_URL", await list.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(elsewhere.Requests);
    }

    [Theory]
    [InlineData("https://api.github.com/repositories/1/pulls/2/files?page=2", "https://api.github.com/", true)]
    [InlineData("https://ghes.example/api/v3/repositories/1/pulls/2/files?page=2", "https://ghes.example/api/v3/", true)]
    [InlineData("https://ghes.example/elsewhere/files?page=2", "https://ghes.example/api/v3/", false)]
    [InlineData("http://api.github.com/repositories/1/pulls/2/files?page=2", "https://api.github.com/", false)]
    [InlineData("https://api.github.com:8443/repositories/1/pulls/2/files?page=2", "https://api.github.com/", false)]
    [InlineData("https://api.github.com.evil.example/x", "https://api.github.com/", false)]
    public void A_link_is_followed_only_under_the_api_address(string link, string api, bool followed) =>
        Assert.Equal(followed, GitHubPages.IsUnder(new Uri(link), new Uri(api)));
}
