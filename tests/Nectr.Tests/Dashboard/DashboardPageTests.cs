using System.Net;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Dashboard;

/// <summary>The server-rendered dashboard through HTTP: sign-in redirect, scoping, and what each page says.</summary>
public sealed class DashboardPageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/")]
    [InlineData("/repositories")]
    [InlineData("/reviews")]
    [InlineData("/activity")]
    [InlineData("/memory")]
    [InlineData("/analytics")]
    [InlineData("/team")]
    [InlineData("/settings")]
    public async Task Pages_redirect_an_anonymous_visitor_to_sign_in(string path)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = app.CreateClient(new() { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.StartsWith("https://localhost/signin", response.Headers.Location!.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sign_in_page_links_to_GitHub_and_names_the_missing_client_id_with_the_callback_url()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["BACKEND_URL"] = "https://nectr.example.com" });
        using var client = app.CreateClient(new() { BaseAddress = new Uri("https://localhost/") });

        var html = await client.GetStringAsync("/signin", Ct);

        Assert.Contains("href=\"/auth/github\"", html, StringComparison.Ordinal);
        Assert.Contains("Sign in with GitHub", html, StringComparison.Ordinal);
        Assert.Contains("GITHUB_CLIENT_ID", html, StringComparison.Ordinal);
        Assert.Contains("https://nectr.example.com/auth/github/callback", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_shows_both_charts_and_only_reviews_of_repositories_the_user_can_see()
    {
        await using var seeded = await Seeded.CreateAsync();
        var client = seeded.Client;

        var html = await client.GetStringAsync("/", Ct);

        Assert.Contains("data-chart=\"reviews-per-day\"", html, StringComparison.Ordinal);
        Assert.Contains("data-chart=\"verdict-mix\"", html, StringComparison.Ordinal);
        Assert.Contains("acme/api#42", html, StringComparison.Ordinal);
        Assert.DoesNotContain(DashboardSeed.Hidden, html, StringComparison.Ordinal);
        Assert.Contains("Signed in as <strong>mona</strong>", html, StringComparison.Ordinal);
        Assert.Contains("__RequestVerificationToken", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Review_detail_renders_markdown_but_shows_injected_html_as_text()
    {
        await using var seeded = await Seeded.CreateAsync();
        var (client, ids) = (seeded.Client, seeded.Ids);

        using var response = await client.GetAsync($"/reviews/{ids.ReviewId}", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<h2>Summary</h2>", html, StringComparison.Ordinal);
        Assert.Contains("<strong>parameterised</strong>", html, StringComparison.Ordinal);
        Assert.Contains("<table>", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("href=\"javascript:", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;", html, StringComparison.Ordinal);
        Assert.Contains(DashboardSeed.FindingTitle, html, StringComparison.Ordinal);
        Assert.Contains("package-lock.json", html, StringComparison.Ordinal);
        Assert.Contains("12,345", html, StringComparison.Ordinal);
        Assert.Contains("$0.0472", html, StringComparison.Ordinal);
        Assert.Contains("https://github.com/acme/api/pull/42", html, StringComparison.Ordinal);
        Assert.StartsWith("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_review_of_a_repository_the_user_cannot_see_is_not_found()
    {
        await using var seeded = await Seeded.CreateAsync();
        var (client, ids) = (seeded.Client, seeded.Ids);

        using var response = await client.GetAsync($"/reviews/{ids.HiddenReviewId}", Ct);
        var html = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.DoesNotContain("Hidden review body", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reviews_filter_by_verdict_and_repositories_filter_by_search()
    {
        await using var seeded = await Seeded.CreateAsync();
        var client = seeded.Client;

        var approved = await client.GetStringAsync("/reviews?verdict=approve", Ct);
        var search = await client.GetStringAsync("/repositories?q=WEB", Ct);
        var none = await client.GetStringAsync("/repositories?q=nothing-like-this", Ct);

        Assert.Contains("acme/api#41", approved, StringComparison.Ordinal);
        Assert.DoesNotContain("acme/api#42", approved, StringComparison.Ordinal);
        Assert.Contains("acme/web", search, StringComparison.Ordinal);
        Assert.DoesNotContain("data-repository=\"acme/api\"", search, StringComparison.Ordinal);
        Assert.Contains("No repository matches", none, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Activity_shows_the_parked_reason_and_a_retry_form_with_an_antiforgery_token()
    {
        await using var seeded = await Seeded.CreateAsync();
        var (client, ids) = (seeded.Client, seeded.Ids);

        var html = await client.GetStringAsync("/activity", Ct);

        Assert.Contains(DashboardSeed.ParkedReason, html, StringComparison.Ordinal);
        Assert.Contains($"action=\"/activity/{ids.ParkedDeliveryId}/retry\"", html, StringComparison.Ordinal);
        Assert.DoesNotContain("hidden reason", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Settings_show_provider_and_problems_but_never_a_secret()
    {
        await using var seeded = await Seeded.CreateAsync(gitHubToken: "ghp_supersecret_token_value");
        var client = seeded.Client;

        var html = await client.GetStringAsync("/settings", Ct);

        Assert.Contains("none (built-in checks only)", html, StringComparison.Ordinal);
        Assert.Contains("personal access token (GITHUB_PAT)", html, StringComparison.Ordinal);
        Assert.Contains("acme/web: 3 webhook deliveries failed signature verification", html, StringComparison.Ordinal);
        Assert.Contains("/auth/github/callback", html, StringComparison.Ordinal);
        Assert.DoesNotContain("ghp_supersecret_token_value", html, StringComparison.Ordinal);
        Assert.DoesNotContain(NectrApp.WebhookSecret, html, StringComparison.Ordinal);
    }

    /// <summary>An app on its own database with <see cref="DashboardSeed"/> in it, and a client signed in as its user.</summary>
    private sealed class Seeded : IAsyncDisposable
    {
        private TestDatabase _database = null!;
        private NectrApp _app = null!;

        public HttpClient Client { get; private set; } = null!;
        public DashboardSeed.Ids Ids { get; private set; } = null!;

        public static async Task<Seeded> CreateAsync(string? gitHubToken = null)
        {
            var seeded = new Seeded { _database = await TestDatabase.CreateAsync("sqlite") };
            seeded._app = new NectrApp(seeded._database, gitHubToken: gitHubToken);
            seeded.Ids = await seeded._app.QueryAsync(DashboardSeed.SeedAsync);
            (seeded.Client, _) = await seeded._app.SignedInClientAsync(DashboardSeed.Login, DashboardSeed.GitHubId);
            return seeded;
        }

        public async ValueTask DisposeAsync()
        {
            Client.Dispose();
            await _app.DisposeAsync();
            await _database.DisposeAsync();
        }
    }
}
