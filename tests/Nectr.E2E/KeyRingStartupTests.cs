using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Configuration;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// Real production processes and the Data Protection key ring: encrypted with DATA_PROTECTION_CERT_PATH, it stays
/// readable across restarts with the same certificate; production refuses to start without one unless waived.
/// </summary>
public sealed class KeyRingStartupTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nectr-e2e-keyring-").FullName;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private static Dictionary<string, string> Production(TestDatabase database, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["APP_ENV"] = "production",
            ["LOG_LEVEL"] = "Warning",
            ["DATABASE_URL"] = database.Url,
            ["BACKEND_URL"] = "https://nectr.example.com",
            ["GITHUB_WEBHOOK_SECRET"] = E2EDatabase.Secret,
            ["GITHUB_PAT"] = "ghp_unused_in_this_test",
            ["GITHUB_API_URL"] = "http://127.0.0.1:9/",
            ["AUTH_ALLOWED_USERS"] = "octocat",
            ["LLM_PROVIDER"] = "none",
            ["REVIEW_CONCURRENCY"] = "0",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    [Fact]
    public async Task An_encrypted_key_ring_is_stored_without_a_plaintext_key_and_still_opens_after_a_restart()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var certificate = KeyRingCertificate.Create(_directory);
        var settings = Production(database, ("DATA_PROTECTION_CERT_PATH", certificate.Path), ("DATA_PROTECTION_CERT_PASSWORD", certificate.Password));
        string cookie;
        await using (var first = await NectrProcess.StartAsync(settings, Ct, https: true))
        {
            // A GitHub sign-in stores the user's token and sets a session cookie, both protected with the ring.
            cookie = await SignInAsync(database, settings);
            Assert.Equal(HttpStatusCode.OK, await MeAsync(first, cookie));
        }

        var xml = Assert.Single(await E2EDatabase.QueryAsync(database, db => db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(Ct)));
        Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);

        // Production stops when a stored token cannot be decrypted, so "ready" already says the restart opened it.
        await using (var restarted = await NectrProcess.StartAsync(settings, Ct, https: true))
        {
            Assert.Equal(HttpStatusCode.OK, await MeAsync(restarted, cookie));
        }

        var other = KeyRingCertificate.Create(_directory, "other.pfx");
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NectrProcess.StartAsync(
            Production(database, ("DATA_PROTECTION_CERT_PATH", other.Path), ("DATA_PROTECTION_CERT_PASSWORD", other.Password)), Ct));
        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("cannot decrypt 1 stored GitHub token(s)", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Production_without_a_certificate_refuses_to_start_and_starts_with_the_waiver()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NectrProcess.StartAsync(Production(database), Ct));
        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("APP_ENV=production needs DATA_PROTECTION_CERT_PATH", error.Message, StringComparison.Ordinal);

        await using var waived = await NectrProcess.StartAsync(Production(database, ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true")), Ct);
        using var http = waived.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("health/ready", Ct)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_pfx_password_stops_start_up_naming_the_variable_and_not_the_password()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var certificate = KeyRingCertificate.Create(_directory);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => NectrProcess.StartAsync(
            Production(database, ("DATA_PROTECTION_CERT_PATH", certificate.Path), ("DATA_PROTECTION_CERT_PASSWORD", "wrong-password-31337")), Ct));

        Assert.Contains("exited with code 2", error.Message, StringComparison.Ordinal);
        Assert.Contains("does not open with DATA_PROTECTION_CERT_PASSWORD", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("wrong-password-31337", error.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// What a completed GitHub sign-in leaves behind, written with Nectr's own AddAuth on the server's settings (so
    /// with the same certificate): a user row with a protected token, and the session cookie.
    /// </summary>
    private static async Task<string> SignInAsync(TestDatabase database, Dictionary<string, string> settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value)));
        var options = NectrConfiguration.Load(builder.Configuration);
        builder.Services.AddNectrOptions(builder.Configuration);
        builder.AddData(options.Database);
        builder.AddAuth(options.KeyRing);
        using var host = builder.Build();
        var protector = host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(UserTokens.ProtectorPurpose);
        var user = new UserRecord
        {
            GitHubId = 583231,
            Login = "octocat",
            AccessTokenProtected = protector.Protect("gho_e2e_user_token"),
            CreatedAt = DateTime.UtcNow,
            LastLoginAt = DateTime.UtcNow,
        };
        await using (var db = await host.Services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(Ct))
        {
            db.Users.Add(user);
            await db.SaveChangesAsync(Ct);
        }

        var cookie = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var ticket = new AuthenticationTicket(NectrClaims.PrincipalFor(user),
            new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow, ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) },
            CookieAuthenticationDefaults.AuthenticationScheme);
        return cookie.TicketDataFormat.Protect(ticket);
    }

    private static async Task<HttpStatusCode> MeAsync(NectrProcess server, string cookie)
    {
        using var http = server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "auth/me");
        request.Headers.Add("Cookie", $"{AuthExtensions.SessionCookie}={cookie}");
        using var response = await http.SendAsync(request, Ct);
        return response.StatusCode;
    }
}
