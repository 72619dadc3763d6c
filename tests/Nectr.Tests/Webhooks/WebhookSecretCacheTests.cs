using System.Net;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Tests.Infrastructure;
using Nectr.Webhooks;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Repository secrets are kept in memory (issue #13), yet a changed secret is never answered with the old one: a save
/// in this process is seen by the very next delivery, a change behind its back (another instance) within the cache's
/// lifetime.
/// </summary>
public sealed class WebhookSecretCacheTests
{
    private const long RepoId = 7101;
    private const string OldSecret = "old-own-secret-1f6e0c9a";
    private const string NewSecret = "new-own-secret-8b2d4e71";

    private static async Task<NectrApp> StartAsync(TestDatabase database)
    {
        var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        app.CreateClient().Dispose();
        await AddRepositoryAsync(app, RepoId, "octo/cached", OldSecret, connected: true);
        return app;
    }

    private static HttpRequestMessage Delivery(string secret, char sha) => Delivery(secret, Sha(sha));

    private static HttpRequestMessage Delivery(string secret, string sha) =>
        SignedDelivery.Create("pull_request", PullRequestPayload.From("pull_request.opened.json", "octo", "cached", 1, sha, RepoId), secret);

    private static Task<int> SetSecretAsync(NectrApp app, string? secret) => app.QueryAsync(async db =>
    {
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(WebhookSecrets.ProtectorPurpose);
        var row = await db.Repositories.SingleAsync(r => r.GitHubId == RepoId, Ct);
        row.WebhookSecretProtected = secret is null ? null : protector.Protect(secret);
        row.Connected = secret is not null;
        return await db.SaveChangesAsync(Ct);
    });

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_secret_changed_or_removed_in_this_process_is_used_by_the_next_delivery(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        using (var first = await client.SendAsync(Delivery(OldSecret, 'a'), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode); // the old secret is now cached
        }

        await SetSecretAsync(app, NewSecret); // what Connect does when it rotates the secret
        using (var stale = await client.SendAsync(Delivery(OldSecret, 'b'), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        using (var rotated = await client.SendAsync(Delivery(NewSecret, 'c'), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, rotated.StatusCode);
        }

        await SetSecretAsync(app, null); // Disconnect: the repository falls back to GITHUB_WEBHOOK_SECRET
        using (var own = await client.SendAsync(Delivery(NewSecret, 'd'), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, own.StatusCode);
        }

        using var global = await client.SendAsync(Delivery(NectrApp.WebhookSecret, 'e'), Ct);
        Assert.Equal(HttpStatusCode.Accepted, global.StatusCode);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_secret_changed_behind_the_processs_back_is_used_once_the_cached_row_expires(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        using (var first = await client.SendAsync(Delivery(OldSecret, 'a'), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        }

        // A bulk update passes no SaveChanges, as another instance's Connect would not: only the lifetime covers it.
        var protector = app.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(WebhookSecrets.ProtectorPurpose);
        var protectedSecret = protector.Protect(NewSecret);
        await app.QueryAsync(db => db.Repositories.Where(r => r.GitHubId == RepoId)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.WebhookSecretProtected, protectedSecret), Ct));

        var deadline = DateTime.UtcNow + RepositorySecretCache.Lifetime + TimeSpan.FromSeconds(10);
        var attempt = 0;
        HttpStatusCode status;
        do
        {
            await Task.Delay(200, Ct);
            using var response = await client.SendAsync(Delivery(NewSecret, (++attempt).ToString("x40", System.Globalization.CultureInfo.InvariantCulture)), Ct);
            status = response.StatusCode;
        }
        while (status != HttpStatusCode.Accepted && DateTime.UtcNow < deadline);

        Assert.Equal(HttpStatusCode.Accepted, status);
        using var old = await client.SendAsync(Delivery(OldSecret, 'f'), Ct);
        Assert.Equal(HttpStatusCode.Unauthorized, old.StatusCode);
    }
}
