using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Repos;
using Nectr.Tests.Webhooks;

namespace Nectr.Tests.GitHubApp;

/// <summary>
/// GitHub's own installation payloads connect and disconnect repositories: install, repositories added and removed,
/// uninstall, redelivery. Each delivery is stored, skipped with a reason that says what changed, and answered once.
/// </summary>
public sealed class InstallationEventsTests
{
    private const long InstallationId = 4242;
    private const long HelloWorldId = 186853002; // Codertocat/Hello-World in installation.created.json
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Installing_connects_the_listed_repositories_and_removing_or_uninstalling_disconnects_them_keeping_their_rows(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" });

        var created = await DeliverAsync(app, "installation", Installation("installation.created.json"));
        Assert.Equal("skipped", created.Outcome);
        Assert.Equal($"installation {InstallationId} on Codertocat created: connected 1 repository", created.Reason);
        var hello = await RepositoryAsync(app, "Codertocat/Hello-World");
        Assert.True(hello.Connected);
        Assert.Equal(HelloWorldId, hello.GitHubId);
        Assert.Equal(InstallationId, hello.InstallationId);
        Assert.NotNull(hello.ConnectedAt);
        Assert.Null(hello.HookId);
        Assert.Null(hello.WebhookSecretProtected); // the App's webhook covers it: no secret of its own
        // Like connecting on the Repositories page, it queues the repository's background sync (backfills, project scan).
        var kinds = app.Services.GetRequiredService<Nectr.Sync.RepositorySync>().Kinds();
        Assert.NotEmpty(kinds);
        await app.WaitUntilAsync(async db => await db.SyncJobs.CountAsync(j => j.RepositoryFullName == "Codertocat/Hello-World", Ct) == kinds.Count,
            TimeSpan.FromSeconds(20), "the installed repository's background sync to be queued");
        var installation = await app.QueryAsync(db => db.GitHubAppInstallations.SingleAsync(Ct));
        Assert.Equal(("Codertocat", "User", "selected"), (installation.AccountLogin, installation.AccountType, installation.RepositorySelection));

        var addedBody = Installation("installation_repositories.added.json");
        var space = JsonNode.Parse(addedBody)!["repositories_added"]![0]!;
        var added = await DeliverAsync(app, "installation_repositories", addedBody);
        Assert.Equal($"installation {InstallationId} on Codertocat: connected 1 repository", added.Reason);
        Assert.Equal(InstallationId, (await RepositoryAsync(app, "Codertocat/Space")).InstallationId);

        // GitHub's removed example names another repository: it names the one added above here.
        var removedBody = WebhookTestKit.Edit(Installation("installation_repositories.removed.json"), root => root["repositories_removed"] = new JsonArray(space.DeepClone()));
        var removedId = Guid.NewGuid().ToString();
        var removed = await DeliverAsync(app, "installation_repositories", removedBody, removedId);
        Assert.Equal($"installation {InstallationId} on octocat: disconnected 1 repository", removed.Reason);
        var spaceAfter = await RepositoryAsync(app, "Codertocat/Space");
        Assert.False(spaceAfter.Connected);
        Assert.Null(spaceAfter.InstallationId);
        Assert.NotNull(spaceAfter.DisconnectedAt);
        Assert.True((await RepositoryAsync(app, "Codertocat/Hello-World")).Connected);

        var again = await DeliverAsync(app, "installation_repositories", removedBody, removedId);
        Assert.True(again.Duplicate);

        // A second delivery of the same install (a new delivery id) changes nothing either.
        var reinstalled = await DeliverAsync(app, "installation", Installation("installation.created.json"));
        Assert.Equal($"installation {InstallationId} on Codertocat created: connected 0 repositories (1 was already connected)", reinstalled.Reason);

        var deleted = await DeliverAsync(app, "installation", Installation("installation.deleted.json"));
        Assert.Equal($"installation {InstallationId} on octocat deleted: disconnected 1 repository", deleted.Reason);
        var helloAfter = await RepositoryAsync(app, "Codertocat/Hello-World");
        Assert.False(helloAfter.Connected);
        Assert.Null(helloAfter.InstallationId);
        Assert.NotNull((await app.QueryAsync(db => db.GitHubAppInstallations.SingleAsync(Ct))).DeletedAt);
        Assert.Equal(2, await app.QueryAsync(db => db.Repositories.CountAsync(Ct))); // history kept
        Assert.Equal(5, await app.QueryAsync(db => db.Deliveries.CountAsync(d => d.Outcome == DeliveryOutcome.Skipped, Ct)));
    }

    [Fact]
    public async Task A_repository_with_Nectrs_own_webhook_stays_connected_through_it_when_the_App_is_uninstalled()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" });
        await app.QueryAsync(async db =>
        {
            db.Repositories.Add(new RepositoryRecord { GitHubId = HelloWorldId, FullName = "Codertocat/Hello-World", Connected = true, HookId = 77, CreatedAt = DateTime.UtcNow, ConnectedAt = DateTime.UtcNow });
            return await db.SaveChangesAsync(Ct);
        });

        await DeliverAsync(app, "installation", Installation("installation.created.json"));
        var deleted = await DeliverAsync(app, "installation", Installation("installation.deleted.json"));

        Assert.Equal($"installation {InstallationId} on octocat deleted: disconnected 0 repositories (1 repository stays connected through Nectr's own webhook)", deleted.Reason);
        var hello = await RepositoryAsync(app, "Codertocat/Hello-World");
        Assert.True(hello.Connected);
        Assert.Equal(77, hello.HookId);
        Assert.Null(hello.InstallationId);
    }

    [Fact]
    public async Task Suspending_and_unsuspending_an_installation_is_recorded_and_leaves_its_repositories_connected()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" });
        await DeliverAsync(app, "installation", Installation("installation.created.json"));

        var suspended = await DeliverAsync(app, "installation", Installation("installation.suspend.json"));
        var whileSuspended = await app.QueryAsync(db => db.GitHubAppInstallations.AsNoTracking().SingleAsync(Ct));
        var unsuspended = await DeliverAsync(app, "installation", Installation("installation.unsuspend.json"));
        var permissions = await DeliverAsync(app, "installation", Installation("installation.new_permissions_accepted.json"));

        Assert.Equal($"installation {InstallationId} on Codertocat suspended: GitHub sends no events for its repositories until it is unsuspended", suspended.Reason);
        Assert.NotNull(whileSuspended.SuspendedAt);
        Assert.Equal("all", whileSuspended.RepositorySelection);
        Assert.Equal($"installation {InstallationId} on Codertocat unsuspended", unsuspended.Reason);
        Assert.Null((await app.QueryAsync(db => db.GitHubAppInstallations.AsNoTracking().SingleAsync(Ct))).SuspendedAt);
        Assert.StartsWith("installation action 'new_permissions_accepted'", permissions.Reason, StringComparison.Ordinal);
        Assert.True((await RepositoryAsync(app, "Codertocat/Hello-World")).Connected);
    }

    [Fact]
    public async Task An_installation_delivery_without_an_installation_id_or_with_a_bad_repository_name_is_refused()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        using var client = app.CreateClient();

        using var noId = await client.SendAsync(SignedDelivery.Create("installation",
            WebhookTestKit.Edit(WebhookFixtures.Load("installation.created.json"), root => root.Remove("installation")), NectrApp.WebhookSecret), Ct);
        using var badName = await client.SendAsync(SignedDelivery.Create("installation", Installation("installation.created.json", root =>
            root["repositories"]![0]!["full_name"] = "../../etc"), NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, noId.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, badName.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.Repositories.CountAsync(Ct)));
    }

    [Fact]
    public async Task An_App_connected_repository_reads_via_github_app_and_disconnecting_it_points_to_the_installation_on_GitHub()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        var repository = kit.GitHub.AddRepository("Codertocat", "Hello-World", HelloWorldId);
        kit.GitHub.Grant(RepoTestKit.TokenOf("mona"), repository, admin: true);
        var client = await kit.UserAsync("mona", 1);
        await DeliverAsync(kit.App, "installation", Installation("installation.created.json"));

        var list = JsonDocument.Parse(await client.GetStringAsync("/api/v1/repos", Ct)).RootElement;
        var connection = list.GetProperty("repositories")[0].GetProperty("connection");
        Assert.Equal("github_app", connection.GetProperty("via").GetString());
        Assert.Equal(InstallationId, connection.GetProperty("installation_id").GetInt64());

        var csrf = await RepoTestKit.CsrfAsync(client);
        using var connect = await RepoTestKit.InstallAsync(client, HttpMethod.Post, "Codertocat/Hello-World", csrf);
        Assert.Equal("already_connected", JsonDocument.Parse(await connect.Content.ReadAsStringAsync(Ct)).RootElement.GetProperty("status").GetString());
        using var disconnect = await RepoTestKit.InstallAsync(client, HttpMethod.Delete, "Codertocat/Hello-World", csrf);
        ProblemAssert.IsProblem(disconnect, HttpStatusCode.Conflict);
        Assert.Contains($"https://github.com/settings/installations/{InstallationId}", await disconnect.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(kit.GitHub.HooksOn("Codertocat", "Hello-World")); // no webhook added or removed
        Assert.True((await RepositoryAsync(kit.App, "Codertocat/Hello-World")).Connected);

        var page = await client.GetStringAsync("/repositories", Ct);
        Assert.Contains("via GitHub App", page, StringComparison.Ordinal);
        Assert.Contains($"href=\"https://github.com/settings/installations/{InstallationId}\"", page, StringComparison.Ordinal);
        Assert.Empty(kit.GitHub.UnexpectedCalls);
    }

    /// <summary>A real example payload, tied to one installation id so the examples tell one story.</summary>
    private static byte[] Installation(string fixture, Action<JsonObject>? edit = null) =>
        WebhookTestKit.Edit(WebhookFixtures.Load(fixture), root =>
        {
            root["installation"]!["id"] = InstallationId;
            edit?.Invoke(root);
        });

    private static async Task<Answer> DeliverAsync(NectrApp app, string eventName, byte[] body, string? deliveryId = null)
    {
        using var client = app.CreateClient();
        // An App's webhook says it is the App's (target type "integration"); Nectr does not depend on which secret verified it.
        using var request = SignedDelivery.Create(eventName, body, NectrApp.WebhookSecret, deliveryId).FromHook("integration", 1);
        using var response = await client.SendAsync(request, Ct);
        var text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{eventName} answered {(int)response.StatusCode}: {text}");
        var json = JsonDocument.Parse(text).RootElement;
        return new Answer(json.GetProperty("duplicate").GetBoolean(), json.GetProperty("outcome").GetString(),
            json.TryGetProperty("reason", out var reason) ? reason.GetString() : null);
    }

    private static Task<RepositoryRecord> RepositoryAsync(NectrApp app, string fullName) =>
        app.QueryAsync(db => db.Repositories.AsNoTracking().SingleAsync(r => r.FullName == fullName, Ct));

    private sealed record Answer(bool Duplicate, string? Outcome, string? Reason);
}
