using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Webhooks;

namespace Nectr.GitHubApp;

/// <summary>
/// The one writer of <c>github_app_installations</c>, and of the App side of <c>repositories</c>: the
/// <c>installation</c> and <c>installation_repositories</c> deliveries, applied inside intake's transaction so a
/// delivery is acknowledged only once its repositories are connected or disconnected (a failure is a 5xx, and GitHub
/// can redeliver). A repository an installation covers needs no webhook or secret of its own: the App's webhook
/// delivers for it. Disconnecting keeps the record and its history; a repository that also has Nectr's own webhook
/// (connected on the Repositories page) stays connected through that hook.
/// </summary>
internal sealed partial class Installations(Sync.RepositorySync sync, ILogger<Installations> logger)
{
    public const string InstallationEvent = "installation";
    public const string RepositoriesEvent = "installation_repositories";

    /// <summary>Whether the delivery is one this class applies.</summary>
    public static bool Handles(string eventName) => eventName is InstallationEvent or RepositoriesEvent;

    /// <summary>Why an installation delivery's fields cannot be applied (a 400), or null; other events are not checked here.</summary>
    public static string? PayloadProblem(string eventName, WebhookPayload payload)
    {
        if (!Handles(eventName))
        {
            return null;
        }

        if (payload.Installation is not { Id: > 0 } installation)
        {
            return $"installation.id is missing from an {eventName} delivery.";
        }

        if (installation.Account?.Login is { } login && !GitHubNames.IsOwner(login))
        {
            return "installation.account.login is not a GitHub account name.";
        }

        IEnumerable<WebhookRepositoryEntry> entries = [.. payload.Repositories ?? [], .. payload.RepositoriesAdded ?? [], .. payload.RepositoriesRemoved ?? []];
        return entries.Any(r => r.Id <= 0 || r.FullName is not { } name || !GitHubNames.IsFullName(name))
            ? "Every repository of an installation delivery needs an id and a full_name of the form owner/repository."
            : null;
    }

    /// <summary>
    /// Applies an installation delivery in <paramref name="db"/>'s open transaction (saving as it goes, so later
    /// deliveries of the same batch see it) and returns the delivery's skip reason, which says what changed; null
    /// for any other event. Idempotent: applying the same delivery twice leaves the same rows. Repositories it newly
    /// connects are added to <paramref name="connected"/>, for <see cref="StartSync"/> once the transaction commits.
    /// </summary>
    public async Task<string?> ApplyInTransactionAsync(
        NectrDb db, string eventName, WebhookPayload payload, DateTimeOffset now, ICollection<string> connected, CancellationToken cancellationToken)
    {
        if (!Handles(eventName) || payload.Installation is not { } installation)
        {
            return null;
        }

        var at = now.UtcDateTime;
        var id = installation.Id;
        var account = installation.Account?.Login ?? "?";
        var record = await UpsertInstallationAsync(db, installation, at, cancellationToken);
        string reason;
        switch (eventName, payload.Action)
        {
            case (InstallationEvent, "created"):
                record.DeletedAt = null;
                record.SuspendedAt = null;
                reason = $"installation {id} on {account} created: " + Connected(await ConnectAsync(db, id, payload.Repositories ?? [], at, connected, cancellationToken));
                break;
            case (InstallationEvent, "deleted"):
                record.DeletedAt = at;
                reason = $"installation {id} on {account} deleted: " + Disconnected(await DisconnectAsync(db, id, null, at, cancellationToken));
                break;
            case (InstallationEvent, "suspend"):
                record.SuspendedAt = at;
                reason = $"installation {id} on {account} suspended: GitHub sends no events for its repositories until it is unsuspended";
                break;
            case (InstallationEvent, "unsuspend"):
                record.SuspendedAt = null;
                reason = $"installation {id} on {account} unsuspended";
                break;
            case (RepositoriesEvent, "added"):
                reason = $"installation {id} on {account}: " + Connected(await ConnectAsync(db, id, payload.RepositoriesAdded ?? [], at, connected, cancellationToken));
                break;
            case (RepositoriesEvent, "removed"):
                var removed = (payload.RepositoriesRemoved ?? []).Select(r => r.Id).ToHashSet();
                reason = $"installation {id} on {account}: " + Disconnected(await DisconnectAsync(db, id, removed, at, cancellationToken));
                break;
            default:
                reason = $"{eventName} action '{payload.Action}' of installation {id} on {account}: recorded, nothing to change";
                break;
        }

        await db.SaveChangesAsync(cancellationToken);
        Log.Applied(logger, eventName, payload.Action ?? "", id, reason);
        return reason;
    }

    /// <summary>
    /// Queues the background sync (knowledge and issue backfill, project scan) of newly connected repositories, as
    /// connecting on the Repositories page does. Called after intake's commit and not awaited: it waits for the write
    /// gate intake holds, and the delivery is answered either way. A failure is logged; a rescan queues the work again.
    /// </summary>
    public void StartSync(IReadOnlyCollection<string> connected)
    {
        if (connected.Count == 0)
        {
            return;
        }

        _ = Task.Run(async () =>
        {
            foreach (var fullName in connected.Distinct(StringComparer.Ordinal))
            {
                try
                {
                    await sync.EnqueueAllAsync(fullName, CancellationToken.None);
                }
                catch (Exception ex)
                {
                    Log.SyncNotQueued(logger, ex, fullName);
                }
            }
        });
    }

    private static async Task<GitHubAppInstallationRecord> UpsertInstallationAsync(NectrDb db, WebhookInstallation installation, DateTime at, CancellationToken cancellationToken)
    {
        var record = await db.GitHubAppInstallations.FirstOrDefaultAsync(i => i.InstallationId == installation.Id, cancellationToken);
        if (record is null)
        {
            record = new GitHubAppInstallationRecord { InstallationId = installation.Id, AccountLogin = installation.Account?.Login ?? "", CreatedAt = at };
            db.GitHubAppInstallations.Add(record);
        }

        if (installation.Account?.Login is { } login)
        {
            record.AccountLogin = login;
        }

        record.AccountType = installation.Account?.Type ?? record.AccountType;
        record.RepositorySelection = installation.RepositorySelection ?? record.RepositorySelection;
        return record;
    }

    /// <summary>Connects each repository to the installation; returns how many were not connected before.</summary>
    private static async Task<(int Newly, int Total)> ConnectAsync(NectrDb db, long installationId, IReadOnlyList<WebhookRepositoryEntry> repositories, DateTime at, ICollection<string> connected, CancellationToken cancellationToken)
    {
        var newly = 0;
        // In id order, as every writer of these rows does, so two processes cannot deadlock on them.
        foreach (var repository in repositories.DistinctBy(r => r.Id).OrderBy(r => r.Id))
        {
            var fullName = repository.FullName!;
            var record = await db.Repositories.FirstOrDefaultAsync(r => r.GitHubId == repository.Id, cancellationToken)
                ?? await db.Repositories.FirstOrDefaultAsync(r => r.FullName == fullName, cancellationToken);
            if (record is null)
            {
                record = new RepositoryRecord { FullName = fullName, CreatedAt = at };
                db.Repositories.Add(record);
            }

            if (!record.Connected)
            {
                newly++;
                record.ConnectedAt = at;
                connected.Add(fullName);
            }

            record.GitHubId = repository.Id;
            record.FullName = fullName;
            record.Private = repository.Private;
            record.Connected = true;
            record.DisconnectedAt = null;
            record.InstallationId = installationId;
            // Saved one by one: a later repository of the same delivery may be this one under its old name.
            await db.SaveChangesAsync(cancellationToken);
        }

        return (newly, repositories.DistinctBy(r => r.Id).Count());
    }

    /// <summary>
    /// Takes the installation off its repositories (all of them, or those in <paramref name="only"/>); those without
    /// a webhook of their own are disconnected. Returns how many were disconnected and how many keep their own hook.
    /// </summary>
    private static async Task<(int Disconnected, int KeptByHook)> DisconnectAsync(NectrDb db, long installationId, HashSet<long>? only, DateTime at, CancellationToken cancellationToken)
    {
        var covered = await db.Repositories.Where(r => r.InstallationId == installationId).OrderBy(r => r.Id).ToListAsync(cancellationToken);
        var (disconnected, kept) = (0, 0);
        foreach (var record in covered.Where(r => only is null || (r.GitHubId is { } id && only.Contains(id))))
        {
            record.InstallationId = null;
            if (record.HookId is not null)
            {
                kept++;
                continue;
            }

            if (record.Connected)
            {
                disconnected++;
                record.DisconnectedAt = at;
            }

            record.Connected = false;
        }

        return (disconnected, kept);
    }

    private static string Connected((int Newly, int Total) result) =>
        result.Total == 0
            ? "no repositories listed"
            : $"connected {Count(result.Newly, "repository", "repositories")}"
              + (result.Total > result.Newly ? $" ({Count(result.Total - result.Newly, "was", "were")} already connected)" : "");

    private static string Disconnected((int Disconnected, int KeptByHook) result) =>
        $"disconnected {Count(result.Disconnected, "repository", "repositories")}"
        + (result.KeptByHook > 0 ? $" ({Count(result.KeptByHook, "repository stays", "repositories stay")} connected through Nectr's own webhook)" : "");

    private static string Count(int n, string one, string many) => string.Create(CultureInfo.InvariantCulture, $"{n} {(n == 1 ? one : many)}");

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "GitHub App {Event} {Action} for installation {InstallationId}: {Outcome}")]
        public static partial void Applied(ILogger logger, string @event, string action, long installationId, string outcome);

        [LoggerMessage(2, LogLevel.Warning, "Connected {Repository} through the GitHub App, but could not queue its background sync; a rescan queues it again")]
        public static partial void SyncNotQueued(ILogger logger, Exception exception, string repository);
    }
}
