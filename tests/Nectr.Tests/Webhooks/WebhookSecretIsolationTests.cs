using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// A connected repository verifies only with its own secret; <c>GITHUB_WEBHOOK_SECRET</c> covers the others; a
/// verified payload must be about the repository whose hook sent it. The fake GitHub fails the test on any call a
/// refused delivery would have caused (a review needs at least the PR and its files).
/// </summary>
public sealed class WebhookSecretIsolationTests
{
    private const string AlphaSecret = "alpha-own-secret-5d1e8c0b";
    private const string BetaSecret = "beta-own-secret-93f0aa71";
    private const long AlphaId = 7001;
    private const long BetaId = 7002;

    private static async Task<(FakeGitHub GitHub, NectrApp App, HttpClient Client)> StartAsync(TestDatabase database)
    {
        var github = await FakeGitHub.StartAsync();
        var app = new NectrApp(database, github.ApiUrl, github.Token);
        var client = app.CreateClient();
        await AddRepositoryAsync(app, AlphaId, "octo/alpha", AlphaSecret, connected: true);
        return (github, app, client);
    }

    private static byte[] Pr(string repo, long repoId, int number = 1, char sha = 'a') =>
        PullRequestPayload.From("pull_request.opened.json", "octo", repo, number, Sha(sha), repoId);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_global_secret_is_refused_for_a_repository_with_its_own_secret_and_its_own_secret_works(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;

        using var global = await client.SendAsync(SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, global.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));

        github.AddPullRequest("octo", "alpha", 1, Sha('a'), [new FakeFile("a.txt", "added", "@@ -0,0 +1 @@\n+hello")]);
        using var own = await client.SendAsync(SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), AlphaSecret), Ct);
        Assert.Equal(HttpStatusCode.Accepted, own.StatusCode);
        await github.WaitForReviewAsync("octo", "alpha", 1, TimeSpan.FromSeconds(30));
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [InlineData("sqlite", true)]
    [InlineData("sqlite", false)]
    [InlineData("postgres", true)]
    [InlineData("postgres", false)]
    public async Task A_repositorys_secret_cannot_sign_for_another_repository_and_that_one_gets_no_review(string provider, bool betaConnected)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;
        if (betaConnected)
        {
            await AddRepositoryAsync(app, BetaId, "octo/beta", BetaSecret, connected: true);
        }

        // Beta's payload signed with alpha's secret: claimed to come from alpha's hook, from beta's, from an organisation
        // hook, and with no hook headers at all.
        HttpRequestMessage[] forgeries =
        [
            SignedDelivery.Create("pull_request", Pr("beta", BetaId), AlphaSecret).FromHook("repository", AlphaId),
            SignedDelivery.Create("pull_request", Pr("beta", BetaId), AlphaSecret).FromHook("repository", BetaId),
            SignedDelivery.Create("pull_request", Pr("beta", BetaId), AlphaSecret).FromHook("organization", 31337),
            SignedDelivery.Create("pull_request", Pr("beta", BetaId), AlphaSecret).FromHook(null, null),
        ];
        foreach (var forgery in forgeries)
        {
            using (forgery)
            using (var response = await client.SendAsync(forgery, Ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            }
        }

        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        Assert.Empty(github.Requests);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task An_organisation_hook_signed_with_the_global_secret_cannot_deliver_for_a_repository_with_its_own_secret(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;

        using var organisation = await client.SendAsync(
            SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), NectrApp.WebhookSecret).FromHook("organization", 31337), Ct);
        using var headerless = await client.SendAsync(
            SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), NectrApp.WebhookSecret).FromHook(null, null), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, organisation.StatusCode);
        Assert.Contains("its own webhook secret", await organisation.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, headerless.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Empty(github.Requests);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_payload_for_another_repository_than_the_hooks_is_refused_even_with_the_global_secret(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;

        using var response = await client.SendAsync(
            SignedDelivery.Create("pull_request", Pr("gamma", 7003), NectrApp.WebhookSecret).FromHook("repository", 7004), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("different repository", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_global_secret_works_where_there_is_no_own_secret_from_a_repository_or_an_organisation_hook(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;
        github.AddPullRequest("octo", "beta", 1, Sha('b'), [new FakeFile("b.txt", "added", "@@ -0,0 +1 @@\n+hello")]);
        github.AddPullRequest("octo", "beta", 2, Sha('c'), [new FakeFile("c.txt", "added", "@@ -0,0 +1 @@\n+hello")]);

        using var repositoryHook = await client.SendAsync(SignedDelivery.Create("pull_request", Pr("beta", BetaId, 1, 'b'), NectrApp.WebhookSecret), Ct);
        using var organisationHook = await client.SendAsync(
            SignedDelivery.Create("pull_request", Pr("beta", BetaId, 2, 'c'), NectrApp.WebhookSecret).FromHook("organization", 31337), Ct);

        Assert.Equal(HttpStatusCode.Accepted, repositoryHook.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, organisationHook.StatusCode);
        await github.WaitForReviewAsync("octo", "beta", 1, TimeSpan.FromSeconds(30));
        await github.WaitForReviewAsync("octo", "beta", 2, TimeSpan.FromSeconds(30));
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Signature_failures_count_only_wrong_signatures_for_a_connected_repository_and_no_answer_names_another(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (github, app, client) = await StartAsync(database);
        await using var _ = github;
        await using var __ = app;
        using var ___ = client;
        await AddRepositoryAsync(app, 7010, "acme/widgets", ownSecret: null, connected: false, isPrivate: true);

        var answers = new List<string>();
        async Task SendAsync(HttpRequestMessage request)
        {
            using (request)
            using (var response = await client.SendAsync(request, Ct))
            {
                Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
                answers.Add(await response.Content.ReadAsStringAsync(Ct));
            }
        }

        // Forged with the private, unconnected repository's id: never counted.
        for (var i = 0; i < 3; i++)
        {
            await SendAsync(SignedDelivery.Create("pull_request", Pr("widgets", 7010), "guessed-secret"));
        }

        // For the connected one: a missing or malformed signature is not a secret mismatch; two wrong ones are.
        var missing = SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), AlphaSecret);
        missing.Headers.Remove("X-Hub-Signature-256");
        await SendAsync(missing);
        var malformed = SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), AlphaSecret);
        malformed.Headers.Remove("X-Hub-Signature-256");
        malformed.Headers.Add("X-Hub-Signature-256", "sha256=nothex");
        await SendAsync(malformed);
        await SendAsync(SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), "rotated-away"));
        await SendAsync(SignedDelivery.Create("pull_request", Pr("alpha", AlphaId), "rotated-away"));

        await app.WaitUntilAsync(async db => await db.Repositories.AnyAsync(r => r.GitHubId == AlphaId && r.SignatureFailures >= 2, Ct), what: "two counted failures");
        var counts = await app.QueryAsync(db => db.Repositories.AsNoTracking().ToDictionaryAsync(r => r.FullName, r => r.SignatureFailures, Ct));
        Assert.Equal(2, counts["octo/alpha"]);
        Assert.Equal(0, counts["acme/widgets"]);
        using var ready = await client.GetAsync("/health/ready", Ct);
        Assert.DoesNotContain("widgets", await ready.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.All(answers, a => Assert.DoesNotContain("widgets", a, StringComparison.Ordinal));
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
    }
}
