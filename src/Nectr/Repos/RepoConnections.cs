using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Webhooks;

namespace Nectr.Repos;

/// <summary>
/// Connects a repository to Nectr (its own webhook with its own secret) and disconnects it, acting on GitHub with
/// the signed-in user's token after GitHub confirms they administer the repository. One record and at most one
/// Nectr hook per repository, however many users connect it; disconnecting keeps every delivery, job and review.
/// </summary>
internal sealed partial class RepoConnections(
    UserGitHubFactory gitHub,
    IDbContextFactory<NectrDb> dbs,
    DbWriteGate writeGate,
    IDataProtectionProvider protection,
    IOptions<HostingOptions> hosting,
    Sync.RepositorySync sync,
    GitHubApp.InstallationsLinks installations,
    TimeProvider time,
    ILogger<RepoConnections> logger)
{
    /// <summary>
    /// The events Nectr acts on or keeps: pull requests (reviews), issues (the issue index reviews read for
    /// context), and PR conversation and inline comments (the <c>@nectr …</c> commands).
    /// </summary>
    public static readonly IReadOnlyList<string> Events = ["pull_request", "issues", "issue_comment", "pull_request_review_comment"];

    private readonly IDataProtector _protector = protection.CreateProtector(WebhookSecrets.ProtectorPurpose);

    // Serialises connect and disconnect per repository in this process, so two users clicking at once cannot both
    // find no hook and create two.
    private readonly ConcurrentDictionary<string, SemaphoreSlim> _locks = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Where GitHub delivers to: <c>{BACKEND_URL}/api/v1/webhooks/github</c>, or null when BACKEND_URL is unset.</summary>
    public string? WebhookUrl => hosting.Value.BackendUrl is { } backend ? backend.ToString().TrimEnd('/') + WebhookEndpoints.Path : null;

    public async Task<RepoConnectionResult> ConnectAsync(long userId, string owner, string repo, CancellationToken cancellationToken)
    {
        if (WebhookUrl is not { } url)
        {
            return new RepoConnectionResult.BackendUrlMissing();
        }

        return await WithRepositoryAsync(userId, owner, repo, (client, repository) => InstallHookAsync(client, repository, userId, url, cancellationToken), cancellationToken);
    }

    public Task<RepoConnectionResult> DisconnectAsync(long userId, string owner, string repo, CancellationToken cancellationToken) =>
        WithRepositoryAsync(userId, owner, repo, (client, repository) => RemoveHookAsync(client, repository, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="action"/> once GitHub confirms the user administers the repository; maps GitHub's errors to results.</summary>
    private async Task<RepoConnectionResult> WithRepositoryAsync(
        long userId, string owner, string repo, Func<IUserGitHub, GitHubRepository, Task<RepoConnectionResult>> action, CancellationToken cancellationToken)
    {
        var fullName = $"{owner}/{repo}";
        if (await gitHub.ForUserAsync(userId, cancellationToken) is not { } client)
        {
            return new RepoConnectionResult.SignInRequired();
        }

        var gate = _locks.GetOrAdd(fullName, _ => new SemaphoreSlim(1, 1));
        await gate.WaitAsync(cancellationToken);
        try
        {
            GitHubRepository repository;
            try
            {
                repository = await client.GetRepositoryAsync(owner, repo, cancellationToken);
            }
            catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.NotFound)
            {
                return new RepoConnectionResult.NotFound(fullName);
            }

            if (repository.Permissions is not { Admin: true })
            {
                return new RepoConnectionResult.NotAdmin(repository.FullName);
            }

            try
            {
                return await action(client, repository);
            }
            catch (GitHubApiException ex) when (ex.Status is HttpStatusCode.NotFound or HttpStatusCode.Forbidden && !IsRateLimit(ex))
            {
                // GitHub answers 404 on hooks to a token without the admin:repo_hook scope, even for an admin.
                return new RepoConnectionResult.HooksForbidden(repository.FullName);
            }
        }
        catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            return new RepoConnectionResult.SignInRequired();
        }
        catch (GitHubApiException ex)
        {
            Log.GitHubFailed(logger, GitHubFailures.TraceOf(ex), owner, repo, ex.Message);
            return new RepoConnectionResult.GitHubFailed((int)ex.Status, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            Log.GitHubFailed(logger, GitHubFailures.TraceOf(ex), owner, repo, ex.Message);
            return new RepoConnectionResult.GitHubFailed(StatusCodes.Status502BadGateway, "GitHub could not be reached: " + ex.Message);
        }
        finally
        {
            gate.Release();
        }
    }

    private async Task<RepoConnectionResult> InstallHookAsync(IUserGitHub client, GitHubRepository repository, long userId, string url, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository.FullName);
        var hooks = await client.ListHooksAsync(owner, name, cancellationToken);
        var ours = hooks.Where(h => IsNectrHook(h, url)).ToList();
        var record = await FindAsync(repository, cancellationToken);
        if (record is { Connected: true, InstallationId: not null, HookId: null })
        {
            // The App's webhook already delivers for it: a hook of its own would only deliver everything twice.
            return new RepoConnectionResult.AlreadyConnected(RepoConnection.Of(record));
        }

        var current = (record?.HookId is { } hookId ? hooks.FirstOrDefault(h => h.Id == hookId) : null) ?? ours.FirstOrDefault();

        if (record is { Connected: true, WebhookSecretProtected: { } stored } && current is not null && current.Id == record.HookId && CanRead(stored))
        {
            return new RepoConnectionResult.AlreadyConnected(RepoConnection.Of(record));
        }

        // The new secret is stored before GitHub hears of it: GitHub pings a new hook at once, signed with it.
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var previous = await StageSecretAsync(repository, _protector.Protect(secret), cancellationToken);
        GitHubHook hook;
        try
        {
            var request = new GitHubHookRequest("web", true, Events, new GitHubHookConfig(url, "json", "0", secret));
            hook = current is null
                ? await client.CreateHookAsync(owner, name, request, cancellationToken)
                : await client.UpdateHookAsync(owner, name, current.Id, request, cancellationToken);
        }
        catch (Exception ex) when (ex is GitHubApiException or HttpRequestException)
        {
            await UpdateAsync(previous.Id, r => r.WebhookSecretProtected = previous.Secret, CancellationToken.None);
            throw;
        }

        // Any other hook pointing at Nectr would be signed with a secret Nectr no longer has: one hook is the rule.
        foreach (var duplicate in ours.Where(h => h.Id != hook.Id))
        {
            await client.DeleteHookAsync(owner, name, duplicate.Id, cancellationToken);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var connected = await UpdateAsync(previous.Id, r =>
        {
            r.Connected = true;
            r.HookId = hook.Id;
            r.ConnectedByUserId = userId;
            r.ConnectedAt = now;
            r.DisconnectedAt = null;
            // A fresh secret starts a fresh count: earlier failures were against the old one.
            r.SignatureFailures = 0;
            r.LastSignatureFailureAt = null;
        }, cancellationToken);
        Log.Connected(logger, owner, name, hook.Id, userId, current is not null);
        await StartSyncAsync(repository.FullName);
        return new RepoConnectionResult.Connected(RepoConnection.Of(connected), current is not null);
    }

    private async Task<RepoConnectionResult> RemoveHookAsync(IUserGitHub client, GitHubRepository repository, CancellationToken cancellationToken)
    {
        var (owner, name) = Split(repository.FullName);
        var record = await FindAsync(repository, cancellationToken);
        if (record is { Connected: true, InstallationId: { } installationId, HookId: null })
        {
            return new RepoConnectionResult.CoveredByApp(RepoConnection.Of(record), await installations.ManageUrlAsync(installationId, cancellationToken));
        }

        var deleted = false;
        if (record?.HookId is { } hookId)
        {
            deleted = await client.DeleteHookAsync(owner, name, hookId, cancellationToken);
        }

        if (WebhookUrl is { } url)
        {
            // A Nectr hook Nectr lost track of (its record was never saved, or it was made by hand) goes too.
            foreach (var stray in (await client.ListHooksAsync(owner, name, cancellationToken)).Where(h => IsNectrHook(h, url) && h.Id != record?.HookId))
            {
                deleted |= await client.DeleteHookAsync(owner, name, stray.Id, cancellationToken);
            }
        }

        if (record is null)
        {
            return new RepoConnectionResult.Disconnected(RepoConnection.None(repository.FullName, repository.Id, repository.Private), deleted);
        }

        var now = time.GetUtcNow().UtcDateTime;
        var disconnected = await UpdateAsync(record.Id, r =>
        {
            if (r.Connected)
            {
                r.DisconnectedAt = now;
            }

            r.Connected = false;
            r.HookId = null;
            r.WebhookSecretProtected = null;
        }, cancellationToken);
        Log.Disconnected(logger, owner, name, deleted);
        return new RepoConnectionResult.Disconnected(RepoConnection.Of(disconnected), deleted);
    }

    /// <summary>
    /// Queues the repository's background sync (knowledge backfill, …). The connection is made either way: a failure
    /// here is logged, and a rescan queues the work again.
    /// </summary>
    private async Task StartSyncAsync(string fullName)
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

    /// <summary>The one record of the repository: by GitHub id, else by name (a record made before the id was known).</summary>
    private async Task<RepositoryRecord?> FindAsync(GitHubRepository repository, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Repositories.AsNoTracking().FirstOrDefaultAsync(r => r.GitHubId == repository.Id, cancellationToken)
            ?? await db.Repositories.AsNoTracking().FirstOrDefaultAsync(r => r.FullName == repository.FullName, cancellationToken);
    }

    /// <summary>Creates the record if needed, brings its name and visibility up to date and stores the new secret; returns what it held before.</summary>
    private async Task<(long Id, string? Secret)> StageSecretAsync(GitHubRepository repository, string protectedSecret, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var record = await db.Repositories.FirstOrDefaultAsync(r => r.GitHubId == repository.Id, cancellationToken)
            ?? await db.Repositories.FirstOrDefaultAsync(r => r.FullName == repository.FullName, cancellationToken);
        if (record is null)
        {
            record = new RepositoryRecord { FullName = repository.FullName, CreatedAt = time.GetUtcNow().UtcDateTime };
            db.Repositories.Add(record);
        }

        var previous = record.WebhookSecretProtected;
        record.GitHubId = repository.Id;
        record.FullName = repository.FullName;
        record.Private = repository.Private;
        record.WebhookSecretProtected = protectedSecret;
        await db.SaveChangesAsync(cancellationToken);
        return (record.Id, previous);
    }

    private async Task<RepositoryRecord> UpdateAsync(long id, Action<RepositoryRecord> change, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var record = await db.Repositories.FirstAsync(r => r.Id == id, cancellationToken);
        change(record);
        await db.SaveChangesAsync(cancellationToken);
        return record;
    }

    private bool CanRead(string protectedSecret)
    {
        try
        {
            _protector.Unprotect(protectedSecret);
            return true;
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    private static bool IsNectrHook(GitHubHook hook, string url) =>
        hook.Config?.Url is { } hookUrl && string.Equals(hookUrl.TrimEnd('/'), url.TrimEnd('/'), StringComparison.OrdinalIgnoreCase);

    private static bool IsRateLimit(GitHubApiException ex) => ex.Message.Contains("rate limit", StringComparison.OrdinalIgnoreCase);

    private static (string Owner, string Name) Split(string fullName)
    {
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        return (fullName[..slash], fullName[(slash + 1)..]);
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Connected {Owner}/{Repo}: webhook {HookId} by user {UserId} (updated an existing hook: {Reused})")]
        public static partial void Connected(ILogger logger, string owner, string repo, long hookId, long userId, bool reused);

        [LoggerMessage(2, LogLevel.Information, "Disconnected {Owner}/{Repo} (hook deleted on GitHub: {Deleted})")]
        public static partial void Disconnected(ILogger logger, string owner, string repo, bool deleted);

        [LoggerMessage(3, LogLevel.Warning, "GitHub call for {Owner}/{Repo} failed: {Reason}")]
        public static partial void GitHubFailed(ILogger logger, Exception? exception, string owner, string repo, string reason);

        [LoggerMessage(4, LogLevel.Warning, "Connected {Repository}, but could not queue its background sync; a rescan queues it again")]
        public static partial void SyncNotQueued(ILogger logger, Exception exception, string repository);
    }
}
