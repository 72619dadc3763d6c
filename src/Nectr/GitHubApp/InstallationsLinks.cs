using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.GitHubApp;

/// <summary>
/// Where on GitHub an owner changes which repositories an installation of Nectr's App covers: disconnecting such a
/// repository is done there (Nectr installed no webhook on it to remove), and GitHub then tells Nectr.
/// </summary>
internal sealed class InstallationsLinks(IDbContextFactory<NectrDb> dbs, IOptions<GitHubOptions> gitHub)
{
    /// <summary>The installation's settings page on GitHub, by installation id (unknown installations: the user's own list).</summary>
    public async Task<IReadOnlyDictionary<long, string>> ManageUrlsAsync(IEnumerable<long> installationIds, CancellationToken cancellationToken)
    {
        var ids = installationIds.Distinct().ToList();
        if (ids.Count == 0)
        {
            return new Dictionary<long, string>();
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var known = await db.GitHubAppInstallations.AsNoTracking().Where(i => ids.Contains(i.InstallationId))
            .ToDictionaryAsync(i => i.InstallationId, cancellationToken);
        return ids.ToDictionary(id => id, id => ManageUrl(gitHub.Value.WebUrl, id, known.GetValueOrDefault(id)));
    }

    public async Task<string> ManageUrlAsync(long installationId, CancellationToken cancellationToken) =>
        (await ManageUrlsAsync([installationId], cancellationToken))[installationId];

    internal static string ManageUrl(Uri web, long installationId, GitHubAppInstallationRecord? installation) =>
        installation is { AccountType: "Organization", AccountLogin: { Length: > 0 } org }
            ? new Uri(web, $"organizations/{Uri.EscapeDataString(org)}/settings/installations/{installationId}").ToString()
            : new Uri(web, $"settings/installations/{installationId}").ToString();
}
