using System.Net;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>Deliveries from Nectr's GitHub App verify with the App's webhook secret; another App's are refused whatever they are signed with.</summary>
public sealed class AppWebhookSecretTests : IAsyncLifetime
{
    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    private static byte[] Ping => WebhookFixtures.Load("ping.json");

    [Fact]
    public async Task An_App_delivery_verifies_with_the_App_secret_only_and_a_foreign_App_id_is_refused()
    {
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings());
        using var client = app.CreateClient();

        using var own = await client.SendAsync(TestGitHubApp.Delivery("ping", Ping), Ct);
        using var global = await client.SendAsync(TestGitHubApp.Delivery("ping", Ping, NectrApp.WebhookSecret), Ct);
        using var foreign = await client.SendAsync(TestGitHubApp.Delivery("ping", Ping, appId: 4242), Ct);
        using var hook = await client.SendAsync(SignedDelivery.Create("ping", Ping, NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.OK, own.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, global.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, foreign.StatusCode);
        Assert.Contains("GitHub App other than Nectr's", await foreign.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, hook.StatusCode); // a repository or organisation webhook still uses GITHUB_WEBHOOK_SECRET
    }

    [Fact]
    public async Task Without_an_App_webhook_secret_App_deliveries_verify_with_GITHUB_WEBHOOK_SECRET()
    {
        await using var app = new NectrApp(_database, _github.ApiUrl, settings: TestGitHubApp.Settings(more: ("GITHUB_APP_WEBHOOK_SECRET", null)));
        using var client = app.CreateClient();

        using var global = await client.SendAsync(TestGitHubApp.Delivery("ping", Ping, NectrApp.WebhookSecret), Ct);
        using var wrong = await client.SendAsync(TestGitHubApp.Delivery("ping", Ping), Ct);

        Assert.Equal(HttpStatusCode.OK, global.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }
}
