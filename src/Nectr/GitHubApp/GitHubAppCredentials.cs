using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.GitHubApp;

/// <summary>
/// The GitHub App Nectr acts as: its id, its private key (never logged, rendered or sent anywhere but into a JWT
/// signature), the App's webhook secret and its slug when known. <see cref="Source"/> says where it came from.
/// </summary>
internal sealed record AppCredentials(long AppId, RSA PrivateKey, string? WebhookSecret, string? Slug, string Source)
{
    /// <summary>The record's printed form names the App, never its key or secret.</summary>
    public override string ToString() => $"GitHub App {AppId} ({Source})";
}

/// <summary>
/// Which GitHub App, if any, Nectr is: <c>GITHUB_APP_ID</c> and its key in the environment win; else the newest App
/// created from the dashboard (a <c>github_apps</c> row, secrets protected with Data Protection purpose
/// <see cref="ProtectorPurpose"/>). The environment's App is read once; a row is looked up again at most once a
/// minute (or at once after <see cref="Forget"/>), so an App created on the dashboard takes over without a restart.
/// </summary>
internal sealed partial class GitHubAppCredentials(
    IOptions<GitHubAppOptions> options, IServiceProvider services, TimeProvider time, ILogger<GitHubAppCredentials> logger) : IDisposable
{
    public const string ProtectorPurpose = AppManifestStore.ProtectorPurpose; // the writer's purpose, one string
    private static readonly TimeSpan RowRecheck = TimeSpan.FromMinutes(1);
    private readonly SemaphoreSlim _lock = new(1, 1);
    private AppCredentials? _environment;
    private RowLookup? _row;

    /// <summary>The App, or null when Nectr is not configured as one (then tokens come from GITHUB_PAT or gh).</summary>
    public async ValueTask<AppCredentials?> GetAsync(CancellationToken cancellationToken)
    {
        if (EnvironmentApp() is { } fixedApp)
        {
            return fixedApp;
        }

        if (Volatile.Read(ref _row) is { } cached && time.GetUtcNow() < cached.Until)
        {
            return cached.Value;
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (_row is { } again && time.GetUtcNow() < again.Until)
            {
                return again.Value;
            }

            var value = await ReadRowAsync(cancellationToken);
            Volatile.Write(ref _row, new RowLookup(value, time.GetUtcNow() + RowRecheck));
            return value;
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
        {
            // The database is unreachable: keep what was last known (nothing is cached, so the next call asks again);
            // health reports the database itself.
            Log.LookupFailed(logger, ex.Message);
            return _row?.Value;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The App as last looked up, without waiting (for status lines): the environment's, or the last row read.</summary>
    public AppCredentials? Known => EnvironmentApp() ?? Volatile.Read(ref _row)?.Value;

    /// <summary>Drops the cached <c>github_apps</c> lookup: the onboarding flow calls it after it stores a new App.</summary>
    public void Forget() => Volatile.Write(ref _row, null);

    /// <summary>The App the environment names (validated at start-up), built once.</summary>
    private AppCredentials? EnvironmentApp()
    {
        if (Volatile.Read(ref _environment) is { } known)
        {
            return known;
        }

        if (options.Value.AppId is not { } appId || options.Value.PrivateKeyPem() is not { } pem)
        {
            return null;
        }

        var rsa = RSA.Create();
        rsa.ImportFromPem(pem);
        var app = new AppCredentials(appId, rsa, options.Value.WebhookSecret, options.Value.Slug, "environment");
        if (Interlocked.CompareExchange(ref _environment, app, null) is { } raced)
        {
            rsa.Dispose();
            return raced;
        }

        return app;
    }

    public void Dispose()
    {
        _environment?.PrivateKey.Dispose();
        _lock.Dispose();
    }

    private async Task<AppCredentials?> ReadRowAsync(CancellationToken cancellationToken)
    {
        // The command line without DATABASE_URL has no database: then only the environment can name an App.
        if (services.GetService<IDbContextFactory<NectrDb>>() is not { } dbs || services.GetService<IDataProtectionProvider>() is not { } protection)
        {
            return null;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await db.GitHubApps.AsNoTracking().OrderByDescending(a => a.CreatedAt).ThenByDescending(a => a.Id).FirstOrDefaultAsync(cancellationToken);
        if (row is null)
        {
            return null;
        }

        var protector = protection.CreateProtector(ProtectorPurpose);
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(protector.Unprotect(row.PrivateKeyProtected));
            var secret = row.WebhookSecretProtected is { } s ? protector.Unprotect(s) : null;
            return new AppCredentials(row.AppId, rsa, secret, row.Slug, "created on the dashboard");
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            // Fail closed: an App whose key cannot be opened is no App; the PAT (if any) is used and the log says why.
            Log.Unreadable(logger, row.AppId);
            return null;
        }
    }

    private sealed record RowLookup(AppCredentials? Value, DateTimeOffset Until);

    private static partial class Log
    {
        [LoggerMessage(2, LogLevel.Warning, "Could not look up a GitHub App created on the dashboard: {Reason}")]
        public static partial void LookupFailed(ILogger logger, string reason);

        [LoggerMessage(1, LogLevel.Error, "The GitHub App {AppId} created on the dashboard cannot be used: its private key cannot be decrypted (the Data Protection key ring changed) or is not a PEM key. Create the App again on the dashboard, or set GITHUB_APP_ID and GITHUB_APP_PRIVATE_KEY")]
        public static partial void Unreadable(ILogger logger, long appId);
    }
}
