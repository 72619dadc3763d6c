using System.Net;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Memory;

namespace Nectr.Tests.McpServer;

/// <summary><c>/api/v1/tokens</c> and the dashboard's API tokens page, with the session and antiforgery, on both providers.</summary>
public sealed class ApiTokenApiTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_token_is_shown_once_listed_without_it_and_revoked_only_by_its_owner(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, _) = await app.SignedInClientAsync("alice", 1001);
        var (bob, _) = await app.SignedInClientAsync("bob", 1002);
        using var _a = alice;
        using var _b = bob;

        var created = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", """{"name":" Claude Desktop "}"""), HttpStatusCode.Created);
        var id = created.GetProperty("id").GetInt64();
        var token = created.GetProperty("token").GetString()!;
        var listed = await MemoryApi.ExpectAsync(await alice.GetAsync("/api/v1/tokens", Ct), HttpStatusCode.OK);
        var bobsList = await MemoryApi.ExpectAsync(await bob.GetAsync("/api/v1/tokens", Ct), HttpStatusCode.OK);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(bob, HttpMethod.Delete, $"/api/v1/tokens/{id}"), HttpStatusCode.NotFound);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Delete, $"/api/v1/tokens/{id}", antiforgery: false), HttpStatusCode.BadRequest);
        var stillLive = await app.QueryAsync(db => db.ApiTokens.SingleAsync(t => t.Id == id, Ct));
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Delete, $"/api/v1/tokens/{id}"), HttpStatusCode.NoContent);
        var afterRevoke = await MemoryApi.ExpectAsync(await alice.GetAsync("/api/v1/tokens", Ct), HttpStatusCode.OK);

        Assert.Matches("^nectr_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$", token);
        Assert.Equal("Claude Desktop", created.GetProperty("name").GetString());
        var row = Assert.Single(listed.EnumerateArray());
        Assert.Equal(id, row.GetProperty("id").GetInt64());
        Assert.Equal(token[..22], row.GetProperty("prefix").GetString());
        Assert.Equal(JsonValueKind.Null, row.GetProperty("last_used_at").ValueKind);
        Assert.DoesNotContain(token[23..], listed.ToString(), StringComparison.Ordinal);
        Assert.False(row.TryGetProperty("token", out _));
        Assert.Empty(bobsList.EnumerateArray());
        Assert.Null(stillLive.RevokedAt);
        Assert.NotEqual(JsonValueKind.Null, afterRevoke[0].GetProperty("revoked_at").ValueKind);
    }

    [Fact]
    public async Task A_user_holds_at_most_fifty_live_tokens_and_revoking_one_makes_room()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, aliceUser) = await app.SignedInClientAsync("alice", 1001);
        var (bob, _) = await app.SignedInClientAsync("bob", 1002);
        using var _a = alice;
        using var _b = bob;
        var store = Store(app);
        var first = await store.CreateAsync(aliceUser.Id, "agent 1", Ct);
        for (var i = 2; i <= Nectr.ApiTokens.ApiTokenStore.MaxLivePerUser; i++)
        {
            await store.CreateAsync(aliceUser.Id, $"agent {i}", Ct);
        }

        var full = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", """{"name":"one more"}"""), HttpStatusCode.Conflict);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(bob, HttpMethod.Post, "/api/v1/tokens", """{"name":"bob's"}"""), HttpStatusCode.Created);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Delete, $"/api/v1/tokens/{first.Id}"), HttpStatusCode.NoContent);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", """{"name":"one more"}"""), HttpStatusCode.Created);

        // The page says the same and creates nothing.
        var page = await alice.GetStringAsync("/tokens", Ct);
        using var fromPage = await alice.PostAsync("/tokens", new FormUrlEncodedContent(
            [new("_handler", "create-token"), new("TokenName", "from the page"), new("__RequestVerificationToken", FormToken(page))]), Ct);
        var shown = await fromPage.Content.ReadAsStringAsync(Ct);
        Assert.Contains("revoke one you no longer use", shown, StringComparison.Ordinal);
        Assert.DoesNotContain("data-token>", shown, StringComparison.Ordinal);
        Assert.Contains("value=\"from the page\"", shown, StringComparison.Ordinal); // what was typed is still there

        Assert.Equal("Too many API tokens", full.GetProperty("title").GetString());
        Assert.Contains("revoke one you no longer use", full.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Equal(Nectr.ApiTokens.ApiTokenStore.MaxLivePerUser, await app.QueryAsync(db => db.ApiTokens.CountAsync(t => t.UserId == aliceUser.Id && t.RevokedAt == null, Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Revoked_tokens_are_listed_for_thirty_days_and_at_most_fifty_are_kept(string provider)
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }) { Clock = clock };
        var (alice, aliceUser) = await app.SignedInClientAsync("alice", 1001);
        var (bob, bobUser) = await app.SignedInClientAsync("bob", 1002);
        using var _a = alice;
        using var _b = bob;
        var store = Store(app);
        var old = await store.CreateAsync(aliceUser.Id, "old laptop", Ct);
        var live = await store.CreateAsync(aliceUser.Id, "still in use", Ct);
        var bobs = await store.CreateAsync(bobUser.Id, "bob's", Ct);
        await store.RevokeAsync(aliceUser.Id, old.Id, Ct);
        await store.RevokeAsync(bobUser.Id, bobs.Id, Ct);
        clock.Advance(TimeSpan.FromDays(29));
        var atDay29 = await store.ListAsync(aliceUser.Id, Ct);
        clock.Advance(TimeSpan.FromDays(2));
        var atDay31 = await store.ListAsync(aliceUser.Id, Ct);
        var oldRowBeforeNextRevoke = await app.QueryAsync(db => db.ApiTokens.CountAsync(t => t.Id == old.Id, Ct));

        // A script creating and revoking in a loop: only the 50 most recently revoked stay.
        var loop = new List<long>();
        for (var i = 0; i < Nectr.ApiTokens.ApiTokenStore.MaxRevokedKept + 5; i++)
        {
            var token = await store.CreateAsync(aliceUser.Id, $"loop {i}", Ct);
            clock.Advance(TimeSpan.FromSeconds(1));
            Assert.True(await store.RevokeAsync(aliceUser.Id, token.Id, Ct));
            loop.Add(token.Id);
        }

        var revokedKept = await app.QueryAsync(db => db.ApiTokens.Where(t => t.UserId == aliceUser.Id && t.RevokedAt != null).Select(t => t.Id).ToListAsync(Ct));
        var listed = await store.ListAsync(aliceUser.Id, Ct);

        Assert.Equal(["still in use", "old laptop"], atDay29.Select(t => t.Name));
        Assert.Equal(["still in use"], atDay31.Select(t => t.Name));
        Assert.Equal(1, oldRowBeforeNextRevoke); // hidden, and deleted only once alice revokes again
        Assert.Equal(loop.TakeLast(Nectr.ApiTokens.ApiTokenStore.MaxRevokedKept).Order(), revokedKept.Order());
        Assert.Equal(Nectr.ApiTokens.ApiTokenStore.MaxRevokedKept + 1, listed.Count);
        Assert.Contains(listed, t => t.Id == live.Id && t.RevokedAt is null);
        Assert.Equal(1, await app.QueryAsync(db => db.ApiTokens.CountAsync(t => t.Id == bobs.Id, Ct))); // another user's are not touched
    }

    [Fact]
    public async Task Creating_needs_a_session_the_antiforgery_token_and_a_usable_name()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, _) = await app.SignedInClientAsync("alice", 1001);
        using var _a = alice;
        using var anonymous = app.CreateClient();

        using var noSession = await anonymous.PostAsync("/api/v1/tokens", new StringContent("""{"name":"x"}""", System.Text.Encoding.UTF8, "application/json"), Ct);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", """{"name":"x"}""", antiforgery: false), HttpStatusCode.BadRequest);
        var blank = await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", """{"name":"  "}"""), HttpStatusCode.BadRequest);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", "not json"), HttpStatusCode.BadRequest);
        await MemoryApi.ExpectAsync(await MemoryApi.SendAsync(alice, HttpMethod.Post, "/api/v1/tokens", $$"""{"name":"{{new string('n', 101)}}"}"""), HttpStatusCode.BadRequest);

        Assert.Equal(HttpStatusCode.Unauthorized, noSession.StatusCode);
        Assert.Contains("1 to 100 characters", blank.GetProperty("errors").GetProperty("name")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0, await app.QueryAsync(db => db.ApiTokens.CountAsync(Ct)));
    }

    [Fact]
    public async Task The_API_tokens_page_creates_a_token_shown_once_lists_it_and_revokes_it()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" });
        var (alice, _) = await app.SignedInClientAsync("alice", 1001);
        using var _a = alice;

        var page = await alice.GetStringAsync("/tokens", Ct);
        using var create = await alice.PostAsync("/tokens", new FormUrlEncodedContent(
            [new("_handler", "create-token"), new("TokenName", "Claude Code"), new("__RequestVerificationToken", FormToken(page))]), Ct);
        var shown = await create.Content.ReadAsStringAsync(Ct);
        var token = System.Text.RegularExpressions.Regex.Match(shown, "<code data-token>(nectr_[^<]+)</code>").Groups[1].Value;
        var again = await alice.GetStringAsync("/tokens", Ct);
        var id = await app.QueryAsync(db => db.ApiTokens.Select(t => t.Id).SingleAsync(Ct));
        using var revoke = await alice.PostAsync($"/tokens/{id}/revoke", new FormUrlEncodedContent([new("__RequestVerificationToken", FormToken(again))]), Ct);
        using var forged = await alice.PostAsync($"/tokens/{id}/revoke", new FormUrlEncodedContent([]), Ct);

        Assert.Contains("<a href=\"/tokens\"", page, StringComparison.Ordinal); // in the nav
        Assert.Equal(HttpStatusCode.OK, create.StatusCode);
        Assert.Equal("no-store", create.Headers.CacheControl?.ToString());
        Assert.Matches("^nectr_[0-9a-f]{16}_", token);
        Assert.Contains("Claude Code", again, StringComparison.Ordinal);
        Assert.DoesNotContain(token, again, StringComparison.Ordinal);
        Assert.Contains("never", again, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.SeeOther, revoke.StatusCode);
        Assert.Equal("/tokens?notice=revoked", revoke.Headers.Location?.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.NotNull(await app.QueryAsync(db => db.ApiTokens.Select(t => t.RevokedAt).SingleAsync(Ct)));
    }

    private static Nectr.ApiTokens.ApiTokenStore Store(NectrApp app) =>
        Microsoft.Extensions.DependencyInjection.ServiceProviderServiceExtensions.GetRequiredService<Nectr.ApiTokens.ApiTokenStore>(app.Services);

    private static string FormToken(string html) => WebUtility.HtmlDecode(
        System.Text.RegularExpressions.Regex.Match(html, "name=\"__RequestVerificationToken\" value=\"([^\"]+)\"").Groups[1].Value);
}
