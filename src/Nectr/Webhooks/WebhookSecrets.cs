using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Webhooks;

/// <summary>
/// The secrets a delivery may be signed with, found without reading the body: GitHub names the repository in
/// <c>X-GitHub-Hook-Installation-Target-ID</c>, so its own secret (when connected) is tried, then
/// <c>GITHUB_WEBHOOK_SECRET</c>. Verification therefore happens before any parsing.
/// </summary>
internal sealed class WebhookSecrets(NectrOptions options, IDbContextFactory<NectrDb> dbs, IDataProtectionProvider protection)
{
    public const string ProtectorPurpose = "Nectr.WebhookSecret.v1";
    // Created on first use: a process with no connected repositories never touches the key ring.
    private readonly Lazy<IDataProtector> _protector = new(() => protection.CreateProtector(ProtectorPurpose));

    public async Task<IReadOnlyList<string>> ForDeliveryAsync(string? targetType, string? targetId, CancellationToken cancellationToken)
    {
        var secrets = new List<string>(2);
        if (string.Equals(targetType, "repository", StringComparison.OrdinalIgnoreCase) && long.TryParse(targetId, out var repoId))
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var protectedSecret = await db.Repositories.AsNoTracking()
                .Where(r => r.GitHubId == repoId)
                .Select(r => r.WebhookSecretProtected)
                .FirstOrDefaultAsync(cancellationToken);
            if (protectedSecret is not null && TryUnprotect(protectedSecret) is { } secret)
            {
                secrets.Add(secret);
            }
        }

        if (options.GitHubWebhookSecret is { } global)
        {
            secrets.Add(global);
        }

        return secrets;
    }

    private string? TryUnprotect(string protectedSecret)
    {
        try
        {
            return _protector.Value.Unprotect(protectedSecret);
        }
        catch (System.Security.Cryptography.CryptographicException)
        {
            // The key ring that protected it is gone: this secret can verify nothing, so it is not a candidate.
            return null;
        }
    }
}
