using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Repos;

/// <summary>GET /api/v1/repos: what GitHub shows the user, all pages, with Nectr's status; and the access rows kept exact.</summary>
public sealed class RepoListTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string RepoName(int i) => "repo-" + i.ToString(CultureInfo.InvariantCulture);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Listing_shows_every_page_with_permissions_and_status_and_makes_the_access_rows_match_GitHub(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var kit = await RepoTestKit.StartAsync(database);
        using var client = await kit.UserAsync("octocat", 583231);
        var token = RepoTestKit.TokenOf("octocat");
        for (var i = 0; i < 130; i++)
        {
            kit.GitHub.Grant(token, kit.GitHub.AddRepository("octo-org", RepoName(i), 1000 + i, isPrivate: i % 2 == 1), admin: i % 10 == 0);
        }

        kit.GitHub.AddRepository("someone-else", "hidden", 5000);
        var userId = await kit.App.QueryAsync(db => db.Users.Where(u => u.Login == "octocat").Select(u => u.Id).SingleAsync(Ct));
        await kit.App.QueryAsync(async db =>
        {
            db.UserRepositories.Add(new UserRepositoryAccess { UserId = userId, RepositoryFullName = "gone/away", GitHubRepoId = 9999, Admin = true, RefreshedAt = DateTime.UtcNow });
            db.UserRepositories.Add(new UserRepositoryAccess { UserId = userId, RepositoryFullName = "octo-org/repo-1", GitHubRepoId = 1001, Admin = true, RefreshedAt = DateTime.UtcNow });
            db.UserRepositories.Add(new UserRepositoryAccess { UserId = userId, RepositoryFullName = "octo-org/old-name-of-repo-2", GitHubRepoId = 1002, RefreshedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync(Ct);
        });
        await RepoTestKit.ConnectAsync(client, "octo-org/repo-20");

        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/v1/repos", Ct));

        var repositories = list.RootElement.GetProperty("repositories").EnumerateArray().ToList();
        Assert.Equal(130, list.RootElement.GetProperty("total").GetInt32());
        Assert.Equal(Enumerable.Range(1000, 130).Select(i => (long)i), repositories.Select(r => r.GetProperty("id").GetInt64()).Order());
        Assert.All(repositories, r =>
        {
            var i = (int)(r.GetProperty("id").GetInt64() - 1000);
            Assert.Equal($"octo-org/{RepoName(i)}", r.GetProperty("full_name").GetString());
            Assert.Equal(i % 10 == 0, r.GetProperty("permissions").GetProperty("admin").GetBoolean());
            Assert.Equal(i % 2 == 1, r.GetProperty("private").GetBoolean());
            var connection = r.GetProperty("connection");
            Assert.Equal(i == 20, connection.GetProperty("connected").GetBoolean());
            Assert.Equal(0, connection.GetProperty("signature_failures").GetInt32());
            if (i == 20)
            {
                Assert.Equal(JsonValueKind.Number, connection.GetProperty("hook_id").ValueKind);
                Assert.Equal(JsonValueKind.String, connection.GetProperty("connected_at").ValueKind);
            }
        });

        var pages = kit.GitHub.Requests.Where(r => r.Path == "/user/repos").ToList();
        Assert.Contains("affiliation=owner,collaborator,organization_member", Uri.UnescapeDataString(pages[0].PathAndQuery), StringComparison.Ordinal);
        Assert.Contains(pages, r => r.PathAndQuery.Contains("page=2", StringComparison.Ordinal));

        var rows = await kit.App.QueryAsync(db => db.UserRepositories.AsNoTracking().Where(a => a.UserId == userId).ToListAsync(Ct));
        Assert.Equal(Enumerable.Range(1000, 130).Select(i => (long)i), rows.Select(a => a.GitHubRepoId).Order());
        Assert.All(rows, a =>
        {
            var i = (int)(a.GitHubRepoId - 1000);
            Assert.Equal($"octo-org/{RepoName(i)}", a.RepositoryFullName);
            Assert.Equal(i % 10 == 0, a.Admin);
            Assert.Equal(i % 2 == 1, a.Private);
        });
    }

    [Fact]
    public async Task Q_filters_by_name_while_the_access_rows_still_cover_everything()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        using var client = await kit.UserAsync("octocat", 583231);
        foreach (var name in new[] { "nectr", "nectr-dashboard", "website", "NECTR-docs" })
        {
            kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository("octo-org", name, 2000 + name.Length), admin: false);
        }

        using var list = JsonDocument.Parse(await client.GetStringAsync("/api/v1/repos?q=nectr", Ct));

        Assert.Equal(["octo-org/nectr", "octo-org/nectr-dashboard", "octo-org/NECTR-docs"],
            list.RootElement.GetProperty("repositories").EnumerateArray().Select(r => r.GetProperty("full_name").GetString()).ToArray());
        Assert.Equal(4, await kit.App.QueryAsync(db => db.UserRepositories.CountAsync(Ct)));
    }

    [Fact]
    public async Task Listing_needs_a_session_and_a_usable_GitHub_token()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        using var anonymous = kit.App.CreateClient();
        var (tokenless, _) = await kit.App.SignedInClientAsync("no-token", 77);
        using var __ = tokenless;

        using var refused = await anonymous.GetAsync("/api/v1/repos", Ct);
        using var signInAgain = await tokenless.GetAsync("/api/v1/repos", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        ProblemAssert.IsProblem(signInAgain, HttpStatusCode.Unauthorized);
    }
}
