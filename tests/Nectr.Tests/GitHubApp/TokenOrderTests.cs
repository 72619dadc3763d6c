using Microsoft.Extensions.DependencyInjection;
using Nectr.GitHub;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>
/// DESIGN §4's order, per request: the App's installation token for a repository it is installed on (JWT for
/// <c>/app…</c>), else GITHUB_PAT, else an error naming the fixes in production (outside it, <c>gh auth token</c>).
/// </summary>
public sealed class TokenOrderTests : IAsyncLifetime
{
    private const string Pat = "ghp_the_personal_access_token";
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        TestGitHubApp.EnableOn(_github, "octo-org/payments");
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private HttpRequestMessage Get(string path, string? repository = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri(_github.ApiUrl, path));
        if (repository is not null)
        {
            request.Options.Set(GitHubTokenSource.RepositoryKey, repository);
        }

        return request;
    }

    [Fact]
    public async Task As_an_App_a_repository_gets_its_installation_token_app_calls_a_JWT_and_the_rest_the_PAT()
    {
        await using var app = new NectrApp(_database, _github.ApiUrl, Pat, TestGitHubApp.Settings(more: ("REVIEW_CONCURRENCY", "0")));
        var tokens = app.Services.GetRequiredService<GitHubTokenSource>();

        using var pulls = Get("repos/octo-org/payments/pulls/1");
        using var graphql = Get("graphql", "octo-org/payments");
        using var appCall = Get("app");
        using var elsewhere = Get("repos/octo-org/elsewhere/pulls/1");
        using var search = Get("search/issues");
        var installation = await tokens.ForRequestAsync(pulls, Ct);
        var viaOption = await tokens.ForRequestAsync(graphql, Ct);
        var jwt = await tokens.ForRequestAsync(appCall, Ct);

        Assert.Equal(Assert.Single(_github.IssuedTokens).Token, installation);
        Assert.Equal(installation, viaOption);
        Assert.Null(_github.VerifyJwt("Bearer " + jwt));
        Assert.Equal(Pat, await tokens.ForRequestAsync(elsewhere, Ct));
        Assert.Equal(Pat, await tokens.ForRequestAsync(search, Ct));
        Assert.StartsWith("GitHub App nectr-test (installation tokens", tokens.Mode, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_an_App_every_request_gets_the_PAT()
    {
        await using var app = new NectrApp(_database, _github.ApiUrl, Pat, new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var tokens = app.Services.GetRequiredService<GitHubTokenSource>();

        using var pulls = Get("repos/octo-org/payments/pulls/1");
        using var appCall = Get("app");

        Assert.Equal(Pat, await tokens.ForRequestAsync(pulls, Ct));
        Assert.Equal(Pat, await tokens.ForRequestAsync(appCall, Ct));
        Assert.Equal("personal access token (GITHUB_PAT)", tokens.Mode);
        Assert.Empty(_github.Requests);
    }

    [Fact]
    public async Task In_production_a_repository_outside_the_App_without_a_PAT_names_both_fixes()
    {
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(more:
        [
            ("REVIEW_CONCURRENCY", "0"), ("GITHUB_PAT", null), ("APP_ENV", "production"), ("BACKEND_URL", "https://nectr.example.com"),
            ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef0123"), ("AUTH_ALLOWED_USERS", "octocat"),
        ]));
        var tokens = app.Services.GetRequiredService<GitHubTokenSource>();

        using var elsewhere = Get("repos/octo-org/elsewhere/pulls/1");
        var error = await Assert.ThrowsAsync<GitHubTokenUnavailableException>(async () => await tokens.ForRequestAsync(elsewhere, Ct));

        Assert.Equal("Nectr's GitHub App is not installed on octo-org/elsewhere: install the App on that repository (or its organisation), or set GITHUB_PAT for repositories outside the App.", error.Message);
    }
}
