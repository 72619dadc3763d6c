using System.Globalization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>Where the one secret a delivery may be signed with came from.</summary>
internal enum SecretSource { None, Repository, Global, RepositoryUnreadable, App, OtherApp }

/// <summary>
/// The secret chosen for a delivery from its headers, and what the headers claim. <see cref="TargetRepositoryId"/>
/// is set only for a repository hook (<c>X-GitHub-Hook-Installation-Target-Type: repository</c>).
/// </summary>
internal sealed record DeliverySecret(string? Secret, SecretSource Source, long? TargetRepositoryId, bool TargetConnected);

/// <summary>
/// Chooses the ONE secret a delivery may be signed with, without reading the body, so verification happens before
/// any parsing. A repository with its own secret (Nectr's webhook, installed on Connect) verifies only with that
/// secret; <c>GITHUB_WEBHOOK_SECRET</c> covers every other repository and every non-repository hook. Trying both
/// would let anyone who knows the global secret (every hand-made webhook shares it) sign for a connected repository.
/// When Nectr is a GitHub App, the App's own deliveries (target type <c>integration</c>, target id = the App's id)
/// verify with the App's webhook secret (<c>GITHUB_APP_WEBHOOK_SECRET</c> or the dashboard-created App's; when
/// neither is set, <c>GITHUB_WEBHOOK_SECRET</c>); another App's deliveries are refused whatever they are signed with.
/// </summary>
internal sealed class WebhookSecrets(
    IOptions<WebhookOptions> options, IDbContextFactory<NectrDb> dbs, IDataProtectionProvider protection, GitHubApp.GitHubAppCredentials apps, RepositorySecretCache cache)
{
    public const string ProtectorPurpose = "Nectr.WebhookSecret.v1";
    // Created on first use: a process with no connected repositories never touches the key ring.
    private readonly Lazy<IDataProtector> _protector = new(() => protection.CreateProtector(ProtectorPurpose));

    public async Task<DeliverySecret> ForDeliveryAsync(string? targetType, string? targetId, CancellationToken cancellationToken)
    {
        var global = options.Value.Secret;
        if (string.Equals(targetType, "integration", StringComparison.OrdinalIgnoreCase) && await apps.GetAsync(cancellationToken) is { } app)
        {
            if (!long.TryParse(targetId, NumberStyles.None, CultureInfo.InvariantCulture, out var appId) || appId != app.AppId)
            {
                return new DeliverySecret(null, SecretSource.OtherApp, null, false);
            }

            return app.WebhookSecret is { } own ? new DeliverySecret(own, SecretSource.App, null, false)
                : new DeliverySecret(global, global is null ? SecretSource.None : SecretSource.Global, null, false);
        }

        if (!string.Equals(targetType, "repository", StringComparison.OrdinalIgnoreCase)
            || !long.TryParse(targetId, NumberStyles.None, CultureInfo.InvariantCulture, out var repoId))
        {
            // An organisation, app or business hook, or no target headers: only the global secret can sign it, and
            // the payload is checked afterwards not to name a repository that has a secret of its own.
            return new DeliverySecret(global, global is null ? SecretSource.None : SecretSource.Global, null, false);
        }

        var repo = await cache.GetAsync(repoId, ReadAsync, cancellationToken);
        if (repo is { HasOwnSecret: true })
        {
            // Fail closed: a secret the key ring cannot open verifies nothing, and the global one must not stand in.
            return repo.Secret is { } own
                ? new DeliverySecret(own, SecretSource.Repository, repoId, repo.Connected)
                : new DeliverySecret(null, SecretSource.RepositoryUnreadable, repoId, repo.Connected);
        }

        return new DeliverySecret(global, global is null ? SecretSource.None : SecretSource.Global, repoId, repo?.Connected == true);
    }

    /// <summary>
    /// Whether <paramref name="gitHubRepositoryId"/> has a secret of its own: then only its own repository webhook may
    /// deliver for it, never an organisation hook or a delivery without target headers signed with the global secret.
    /// </summary>
    public async Task<bool> HasOwnSecretAsync(long gitHubRepositoryId, CancellationToken cancellationToken) =>
        (await cache.GetAsync(gitHubRepositoryId, ReadAsync, cancellationToken))?.HasOwnSecret == true;

    private async Task<RepositorySecretRow?> ReadAsync(long gitHubId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await db.Repositories.AsNoTracking()
            .Where(r => r.GitHubId == gitHubId)
            .Select(r => new { r.WebhookSecretProtected, r.Connected })
            .FirstOrDefaultAsync(cancellationToken);
        return row is null ? null
            : new RepositorySecretRow(row.WebhookSecretProtected is not null, row.WebhookSecretProtected is { } stored ? TryUnprotect(stored) : null, row.Connected);
    }

    private string? TryUnprotect(string protectedSecret)
    {
        try
        {
            return _protector.Value.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The key ring that protected it is gone: this secret can verify nothing.
            return null;
        }
    }
}
