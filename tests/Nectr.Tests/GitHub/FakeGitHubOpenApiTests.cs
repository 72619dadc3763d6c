using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHub;

/// <summary>
/// The fake GitHub's own check: every request must be one GitHub's OpenAPI description documents, with documented
/// query parameters and a body that fits the schema, or the test that sent it fails.
/// </summary>
public sealed class FakeGitHubOpenApiTests : IAsyncLifetime
{
    private const string Sha = "6dcb09b5b57875f334f61aebed695e2e4193db5e";
    private const string Patch = "@@ -1,2 +1,3 @@\n line one\n+line two\n line three";
    private FakeGitHub _github = null!;
    private HttpClient _client = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.AddPullRequest("octo", "app", 7, Sha, [new FakeFile("src/a.cs", "modified", Patch)]);
        _client = new HttpClient { BaseAddress = _github.ApiUrl };
        _client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _github.Token);
    }

    public async ValueTask DisposeAsync()
    {
        _client.Dispose();
        await _github.DisposeAsync();
    }

    [Fact]
    public async Task A_valid_review_POST_passes()
    {
        using var response = await PostReviewAsync("""{"commit_id":"6dcb09b5b57875f334f61aebed695e2e4193db5e","event":"COMMENT","body":"Looks fine.","comments":[{"path":"src/a.cs","line":2,"side":"RIGHT","body":"Nit."}]}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Single(_github.ReviewsOn("octo", "app", 7));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task An_undocumented_path_is_answered_404_and_fails_the_test()
    {
        using var response = await _client.GetAsync(new Uri("repos/octo/app/pulls/7/approvals", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("is not in GitHub's REST API: no documented path matches", Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
        Assert.ThrowsAny<Exception>(_github.AssertNoUnexpectedCalls);
    }

    [Fact]
    public async Task A_method_GitHub_does_not_document_on_a_path_is_answered_404()
    {
        using var response = await _client.DeleteAsync(new Uri("repos/octo/app/pulls/7", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("is documented for GET, PATCH only", Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("per_page=500", "query parameter 'per_page': 500 should be at most 100")]
    [InlineData("per_page=ten", "query parameter 'per_page': Value is \"string\" but should be \"integer\"")]
    [InlineData("perpage=100", "query parameter 'perpage' is not one of pulls/list-files's")]
    public async Task A_query_parameter_GitHub_does_not_take_is_answered_422(string query, string expected)
    {
        using var response = await _client.GetAsync(new Uri($"repos/octo/app/pulls/7/files?{query}", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(expected, Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_path_parameter_of_the_wrong_type_is_answered_404()
    {
        using var response = await _client.GetAsync(new Uri("repos/octo/app/pulls/seven", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("path parameter pull_number", Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"event":"COMMENT","body":"x","comments":[{"line":2,"body":"no path"}]}""", "Required properties [\"path\"] are not present")]
    [InlineData("""{"event":"COMMENT","body":"x","comments":[{"path":"src/a.cs","line":"two","body":"line as text"}]}""", "body at /comments/0/line: Value is \"string\" but should be \"integer\"")]
    [InlineData("""{"event":"LGTM","body":"x"}""", "body at /event: Value should match one of the values specified by the enum")]
    public async Task A_review_body_that_fails_GitHubs_schema_is_answered_422_and_creates_nothing(string body, string expected)
    {
        using var response = await PostReviewAsync(body);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, response.StatusCode);
        Assert.Contains(expected, Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
        Assert.Contains("pulls/create-review", _github.UnexpectedCalls[0], StringComparison.Ordinal);
        Assert.Empty(_github.ReviewsOn("octo", "app", 7));
    }

    [Fact]
    public async Task A_body_that_is_not_JSON_is_answered_400()
    {
        using var response = await PostReviewAsync("{\"event\":");

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("Problems parsing JSON", Assert.Single(_github.UnexpectedCalls), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_literal_path_segment_wins_over_a_parameter_so_user_repos_is_the_repository_listing()
    {
        // /user/{account_id} also matches /user/repos; were it chosen, "repos" would fail its integer schema.
        var repository = _github.AddRepository("octo", "app", 42);
        _github.Grant(_github.Token, repository, admin: true);

        using var response = await _client.GetAsync(new Uri("user/repos?per_page=100&affiliation=owner,collaborator", UriKind.Relative), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task The_OAuth_web_flow_is_exempt_because_it_is_not_part_of_the_REST_API()
    {
        _github.EnableOAuth();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("login/oauth/access_token", UriKind.Relative))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string> { ["client_id"] = "wrong", ["client_secret"] = "wrong", ["code"] = "x" }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));

        using var response = await _client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("incorrect_client_credentials", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public void The_committed_schemas_are_JSON_Schema_not_OpenAPI_3_0()
    {
        // JSON Schema ignores the unknown keyword `nullable`, so an unconverted `"nullable": true` would silently
        // refuse null where GitHub accepts it; extract.mjs turns it into a type union.
        var fixture = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", "rest", "openapi.requests.json"));

        Assert.DoesNotContain("\"nullable\"", fixture, StringComparison.Ordinal);
        Assert.DoesNotContain("\"$ref\"", fixture, StringComparison.Ordinal);
        Assert.Contains("\"type\":[\"object\",\"null\"]", fixture, StringComparison.Ordinal);
    }

    private async Task<HttpResponseMessage> PostReviewAsync(string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        return await _client.PostAsync(new Uri("repos/octo/app/pulls/7/reviews", UriKind.Relative), content, Ct);
    }
}
