using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Configuration;

/// <summary>
/// The key ring in the database, encrypted with DATA_PROTECTION_CERT_PATH: the stored XML holds no plaintext master key,
/// a fresh process with the same certificate still opens what was protected, another certificate does not, and a
/// rotated configuration (new certificate plus DATA_PROTECTION_PREVIOUS_CERT_PATH) still reads the old keys.
/// </summary>
public sealed class KeyRingEncryptionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nectr-keyring-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Keys_are_stored_encrypted_and_open_only_with_the_certificate(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var first = KeyRingCertificate.Create(_directory, "first.pfx");
        var second = KeyRingCertificate.Create(_directory, "second.pfx");
        string protectedToken;
        using (var host = Build(database, ("DATA_PROTECTION_CERT_PATH", first.Path), ("DATA_PROTECTION_CERT_PASSWORD", first.Password)))
        {
            await host.Services.MigrateDatabaseAsync(TestContext.Current.CancellationToken);
            protectedToken = Protector(host).Protect("gho_user_token");
        }

        var stored = await QueryKeysAsync(database);
        var xml = Assert.Single(stored);
        Assert.Contains("EncryptedData", xml, StringComparison.Ordinal);
        Assert.DoesNotContain("<masterKey", xml, StringComparison.Ordinal);

        using (var restarted = Build(database, ("DATA_PROTECTION_CERT_PATH", first.Path), ("DATA_PROTECTION_CERT_PASSWORD", first.Password)))
        {
            Assert.Equal("gho_user_token", Protector(restarted).Unprotect(protectedToken));
        }

        using (var otherCertificate = Build(database, ("DATA_PROTECTION_CERT_PATH", second.Path), ("DATA_PROTECTION_CERT_PASSWORD", second.Password)))
        {
            Assert.ThrowsAny<CryptographicException>(() => Protector(otherCertificate).Unprotect(protectedToken));
        }

        using (var rotated = Build(database,
            ("DATA_PROTECTION_CERT_PATH", second.Path), ("DATA_PROTECTION_CERT_PASSWORD", second.Password),
            ("DATA_PROTECTION_PREVIOUS_CERT_PATH", first.Path), ("DATA_PROTECTION_PREVIOUS_CERT_PASSWORD", first.Password)))
        {
            Assert.Equal("gho_user_token", Protector(rotated).Unprotect(protectedToken));
        }
    }

    [Fact]
    public async Task Without_a_certificate_the_stored_key_is_plaintext()
    {
        // The contrast that shows the test above can fail: the framework default writes the master key in the clear.
        await using var database = await TestDatabase.CreateAsync("sqlite");
        using (var host = Build(database))
        {
            await host.Services.MigrateDatabaseAsync(TestContext.Current.CancellationToken);
            Protector(host).Protect("gho_user_token");
        }

        Assert.Contains("<masterKey", Assert.Single(await QueryKeysAsync(database)), StringComparison.Ordinal);
    }

    private static IDataProtector Protector(IHost host) =>
        host.Services.GetRequiredService<IDataProtectionProvider>().CreateProtector(UserTokens.ProtectorPurpose);

    /// <summary>What Program.cs composes for the key ring: options from settings, the database, and AddAuth.</summary>
    private static IHost Build(TestDatabase database, params (string Key, string Value)[] settings)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("DATABASE_URL", database.Url), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        var options = NectrConfiguration.Load(builder.Configuration);
        builder.Services.AddNectrOptions(builder.Configuration);
        builder.AddData(options.Database);
        builder.AddAuth(options.KeyRing);
        return builder.Build();
    }

    private static async Task<List<string>> QueryKeysAsync(TestDatabase database)
    {
        using var host = Build(database);
        await using var db = await host.Services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(TestContext.Current.CancellationToken);
        return await db.DataProtectionKeys.Select(k => k.Xml!).ToListAsync(TestContext.Current.CancellationToken);
    }
}
