using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.GitHubApp;

/// <summary>An App created from the dashboard, as the page shows it: never its key or secrets.</summary>
internal sealed record CreatedApp(long AppId, string Slug, string? Name, string? HtmlUrl, DateTime CreatedAt)
{
    /// <summary>Where an owner installs the App on their repositories.</summary>
    public string? InstallUrl => HtmlUrl is { } url ? url.TrimEnd('/') + "/installations/new" : null;
}

/// <summary>
/// The one writer of <c>github_apps</c>: the Apps made through the manifest flow, their private key, webhook secret
/// and client secret protected with Data Protection (purpose <see cref="ProtectorPurpose"/>).
/// </summary>
internal sealed class AppManifestStore(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IDataProtectionProvider protection, GitHubAppCredentials credentials, TimeProvider time)
{
    /// <summary>The purpose every reader of the stored secrets unprotects them with.</summary>
    public const string ProtectorPurpose = "Nectr.GitHubApp.v1";

    private readonly Lazy<IDataProtector> _protector = new(() => protection.CreateProtector(ProtectorPurpose));

    public async Task<CreatedApp> SaveAsync(ConvertedApp app, long userId, CancellationToken cancellationToken)
    {
        var protector = _protector.Value;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var record = await db.GitHubApps.FirstOrDefaultAsync(a => a.AppId == app.Id, cancellationToken);
        if (record is null)
        {
            record = new GitHubAppRecord { AppId = app.Id, Slug = app.Slug, PrivateKeyProtected = "", CreatedAt = time.GetUtcNow().UtcDateTime };
            db.GitHubApps.Add(record);
        }

        record.Slug = app.Slug;
        record.Name = app.Name;
        record.HtmlUrl = app.HtmlUrl;
        record.ClientId = app.ClientId;
        record.PrivateKeyProtected = protector.Protect(app.Pem);
        record.ClientSecretProtected = app.ClientSecret is { } clientSecret ? protector.Protect(clientSecret) : null;
        record.WebhookSecretProtected = app.WebhookSecret is { } webhookSecret ? protector.Protect(webhookSecret) : null;
        record.CreatedByUserId = userId;
        await db.SaveChangesAsync(cancellationToken);
        credentials.Forget(); // the new App takes over now, not at the next minute's lookup
        return View(record);
    }

    /// <summary>The Apps created here, newest first.</summary>
    public async Task<IReadOnlyList<CreatedApp>> ListAsync(CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var records = await db.GitHubApps.AsNoTracking().OrderByDescending(a => a.Id).ToListAsync(cancellationToken);
        return records.Select(View).ToList();
    }

    private static CreatedApp View(GitHubAppRecord record) =>
        new(record.AppId, record.Slug, record.Name, record.HtmlUrl, DateTime.SpecifyKind(record.CreatedAt, DateTimeKind.Utc));
}
