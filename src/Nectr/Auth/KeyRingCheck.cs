using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Webhooks;

namespace Nectr.Auth;

/// <summary>
/// Start-up check that the Data Protection key ring still opens what the database holds. Without it, a lost
/// <c>data_protection_keys</c> table (or a database copied from another deployment) would silently get a fresh ring,
/// and every stored GitHub token and webhook secret would quietly stop working.
/// </summary>
internal static partial class KeyRingCheck
{
    /// <summary>Runs the check after migrations; a non-null answer means start-up must stop with that message.</summary>
    public static async Task<string?> RunAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        var options = services.GetRequiredService<IOptions<KeyRingOptions>>().Value;
        var result = await CheckAsync(
            services.GetRequiredService<IDbContextFactory<NectrDb>>(),
            services.GetRequiredService<IDataProtectionProvider>(),
            options.IsProduction,
            options.ResetSecrets,
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(KeyRingCheck).FullName!),
            cancellationToken);
        services.GetRequiredService<KeyRingHealth>().Warning = result.Fatal ? null : result.Problem;
        return result.Fatal ? result.Problem : null;
    }

    internal static async Task<KeyRingResult> CheckAsync(
        IDbContextFactory<NectrDb> dbs, IDataProtectionProvider protection, bool production, bool reset, ILogger logger, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var users = await db.Users.Where(u => u.AccessTokenProtected != null).Select(u => new { u.Id, Value = u.AccessTokenProtected! }).ToListAsync(cancellationToken);
        var repos = await db.Repositories.Where(r => r.WebhookSecretProtected != null).Select(r => new { r.Id, Value = r.WebhookSecretProtected! }).ToListAsync(cancellationToken);
        if (users.Count == 0 && repos.Count == 0)
        {
            return KeyRingResult.Ok;
        }

        // Ask the table first: unprotecting against an empty ring would make Data Protection create a new key.
        var hasKeys = await db.DataProtectionKeys.AnyAsync(cancellationToken);
        var unreadableUsers = hasKeys ? users.Where(u => !Opens(protection, UserTokens.ProtectorPurpose, u.Value)).Select(u => u.Id).ToList() : users.Select(u => u.Id).ToList();
        var unreadableRepos = hasKeys ? repos.Where(r => !Opens(protection, WebhookSecrets.ProtectorPurpose, r.Value)).Select(r => r.Id).ToList() : repos.Select(r => r.Id).ToList();
        if (unreadableUsers.Count == 0 && unreadableRepos.Count == 0)
        {
            return KeyRingResult.Ok;
        }

        if (reset)
        {
            await db.Users.Where(u => unreadableUsers.Contains(u.Id)).ExecuteUpdateAsync(s => s.SetProperty(u => u.AccessTokenProtected, (string?)null), cancellationToken);
            await db.Repositories.Where(r => unreadableRepos.Contains(r.Id)).ExecuteUpdateAsync(s => s.SetProperty(r => r.WebhookSecretProtected, (string?)null), cancellationToken);
            Log.Reset(logger, unreadableUsers.Count, unreadableRepos.Count);
            return KeyRingResult.Ok;
        }

        var what = $"{unreadableUsers.Count} stored GitHub token(s) and {unreadableRepos.Count} webhook secret(s)";
        var message = (hasKeys
                ? $"The Data Protection key ring cannot decrypt {what}: the keys that encrypted them are not in the data_protection_keys table (the ring was replaced, or the database comes from another deployment), "
                  + "or the ring is encrypted with a certificate DATA_PROTECTION_CERT_PATH no longer names (after a rotation, set DATA_PROTECTION_PREVIOUS_CERT_PATH to the old one). "
                : $"The database holds {what} but the Data Protection key ring (table data_protection_keys) is empty: it was lost, or the database comes from another deployment. ")
            + "Restore the data_protection_keys table from the backup that matches this database, or set NECTR_RESET_SECRETS=true to forget the unreadable tokens and secrets "
            + "(users sign in again; repositories must be reconnected or fall back to GITHUB_WEBHOOK_SECRET).";
        if (production)
        {
            return new KeyRingResult(message, Fatal: true);
        }

        Log.Unreadable(logger, message);
        return new KeyRingResult(message, Fatal: false);
    }

    private static bool Opens(IDataProtectionProvider protection, string purpose, string value)
    {
        try
        {
            protection.CreateProtector(purpose).Unprotect(value);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "{Problem} Outside production Nectr starts anyway; those users must sign in again.")]
        public static partial void Unreadable(ILogger logger, string problem);

        [LoggerMessage(Level = LogLevel.Warning, Message = "NECTR_RESET_SECRETS: forgot {Users} unreadable user token(s) and {Repositories} webhook secret(s); users sign in again and repositories must be reconnected.")]
        public static partial void Reset(ILogger logger, int users, int repositories);
    }
}

/// <summary>What the key ring check found: nothing (<see cref="Ok"/>), a warning, or a reason to stop.</summary>
internal sealed record KeyRingResult(string? Problem, bool Fatal)
{
    public static readonly KeyRingResult Ok = new(null, false);
}

/// <summary>The key ring problem found at start-up outside production, for <c>/health/ready</c>.</summary>
internal sealed class KeyRingHealth
{
    public string? Warning { get; set; }
}
