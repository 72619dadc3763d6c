using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Auth;

/// <summary>A lost or foreign Data Protection key ring stops production start-up instead of silently starting a new one.</summary>
public sealed class KeyRingCheckTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Stored_tokens_without_any_key_stop_production_with_the_fix(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        await app.SignedInClientAsync("octocat", 583231, token: "gho_stored_token");
        await app.QueryAsync(db => db.DataProtectionKeys.ExecuteDeleteAsync(Ct));

        var production = await CheckAsync(app, production: true);
        var development = await CheckAsync(app, production: false);

        Assert.True(production.Fatal);
        Assert.Contains("data_protection_keys", production.Problem, StringComparison.Ordinal);
        Assert.Contains("NECTR_RESET_SECRETS=true", production.Problem, StringComparison.Ordinal);
        Assert.False(development.Fatal);
        Assert.Equal(production.Problem, development.Problem);
        Assert.Equal(0, await app.QueryAsync(db => db.DataProtectionKeys.CountAsync(Ct))); // the check created no new key
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_token_from_another_deployments_key_ring_stops_production(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        var (_, user) = await app.SignedInClientAsync("octocat", 583231, token: "gho_readable");
        var foreign = new EphemeralDataProtectionProvider().CreateProtector(UserTokens.ProtectorPurpose).Protect("gho_foreign");
        await app.QueryAsync(db => db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessTokenProtected, foreign), Ct));

        var result = await CheckAsync(app, production: true);

        Assert.True(result.Fatal);
        Assert.Contains("cannot decrypt 1 stored GitHub token(s)", result.Problem, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Reset_secrets_forgets_what_cannot_be_read_and_starts(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database);
        await app.SignedInClientAsync("octocat", 583231, token: "gho_lost");
        await app.QueryAsync(db => db.DataProtectionKeys.ExecuteDeleteAsync(Ct));

        var result = await CheckAsync(app, production: true, reset: true);

        Assert.Equal(KeyRingResult.Ok, result);
        Assert.Null(await app.QueryAsync(db => db.Users.Select(u => u.AccessTokenProtected).SingleAsync(Ct)));
        Assert.Equal(KeyRingResult.Ok, await CheckAsync(app, production: true));
    }

    [Fact]
    public async Task Outside_production_a_lost_key_ring_starts_and_health_ready_warns()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using (var first = new NectrApp(database))
        {
            await first.SignedInClientAsync("octocat", 583231, token: "gho_stored_token");
            await first.QueryAsync(db => db.DataProtectionKeys.ExecuteDeleteAsync(Ct));
        }

        await using var second = new NectrApp(database);
        using var client = second.CreateClient();
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready", Ct);

        Assert.Contains(ready.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("data_protection_keys", StringComparison.Ordinal));
    }

    private static Task<KeyRingResult> CheckAsync(NectrApp app, bool production, bool reset = false) => KeyRingCheck.CheckAsync(
        app.Services.GetRequiredService<IDbContextFactory<NectrDb>>(),
        app.Services.GetRequiredService<IDataProtectionProvider>(),
        production,
        reset,
        NullLogger.Instance,
        Ct);
}
