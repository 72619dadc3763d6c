using System.Net;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Repos;

/// <summary>
/// The repositories a user can see on GitHub, each with Nectr's connection status. Listing also brings the user's
/// <see cref="UserRepositoryAccess"/> rows exactly in line with GitHub, because every later read is scoped by them.
/// </summary>
internal sealed partial class RepoDirectory(
    UserGitHubFactory gitHub,
    IDbContextFactory<NectrDb> dbs,
    DbWriteGate writeGate,
    TimeProvider time,
    ILogger<RepoDirectory> logger)
{
    private static readonly Polly.ResiliencePipeline RefreshConflicts = WriteConflicts.RetryAtOnce(2, ex => ex is DbUpdateException);

    /// <summary>Every repository the user can see (filtered by <paramref name="query"/> on the name), refreshing their access rows.</summary>
    public async Task<RepoListResult> ListAsync(long userId, string? query, CancellationToken cancellationToken)
    {
        if (await gitHub.ForUserAsync(userId, cancellationToken) is not { } client)
        {
            return new RepoListResult.SignInRequired();
        }

        IReadOnlyList<GitHubRepository> repositories;
        try
        {
            repositories = await client.ListRepositoriesAsync(cancellationToken);
        }
        catch (GitHubApiException ex) when (ex.Status == HttpStatusCode.Unauthorized)
        {
            return new RepoListResult.SignInRequired();
        }
        catch (GitHubApiException ex)
        {
            Log.ListFailed(logger, GitHubFailures.TraceOf(ex), userId, ex.Message);
            return new RepoListResult.GitHubFailed((int)ex.Status, ex.Message);
        }
        catch (HttpRequestException ex)
        {
            Log.ListFailed(logger, GitHubFailures.TraceOf(ex), userId, ex.Message);
            return new RepoListResult.GitHubFailed(StatusCodes.Status502BadGateway, "GitHub could not be reached: " + ex.Message);
        }

        // GitHub may list a repository twice across pages when it changes between requests.
        repositories = repositories.DistinctBy(r => r.Id).ToList();
        await RefreshAccessAsync(userId, repositories, cancellationToken);

        var shown = string.IsNullOrWhiteSpace(query)
            ? repositories
            : repositories.Where(r => r.FullName.Contains(query.Trim(), StringComparison.OrdinalIgnoreCase)).ToList();
        var connections = await ConnectionsAsync(shown, cancellationToken);
        return new RepoListResult.Listed(shown
            .OrderBy(r => r.FullName, StringComparer.OrdinalIgnoreCase)
            .Select(r => new RepoListItem(
                r.Id,
                r.FullName,
                r.Owner?.Login ?? r.FullName.Split('/')[0],
                r.Name,
                r.Private,
                r.Archived,
                r.HtmlUrl,
                r.Permissions ?? new GitHubRepositoryPermissions(false, false, false),
                connections.TryGetValue(r.Id, out var record) ? RepoConnection.Of(record) : RepoConnection.None(r.FullName, r.Id, r.Private)))
            .ToList());
    }

    /// <summary>
    /// Makes the user's access rows say exactly what GitHub said: inserts new repositories, updates names and
    /// permissions, deletes what the user can no longer see. One transaction, so a reader never sees half of it.
    /// </summary>
    public async Task RefreshAccessAsync(long userId, IReadOnlyList<GitHubRepository> repositories, CancellationToken cancellationToken)
    {
        // Another request (or process) refreshed the same user at the same moment; the retry sees its rows.
        await RefreshConflicts.ExecuteAsync(ct => new ValueTask(RefreshOnceAsync(userId, repositories, ct)), cancellationToken);
    }

    private async Task RefreshOnceAsync(long userId, IReadOnlyList<GitHubRepository> repositories, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var byId = repositories.ToDictionary(r => r.Id);
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        var rows = await db.UserRepositories.Where(a => a.UserId == userId).ToListAsync(cancellationToken);

        // Gone, renamed or duplicated rows go first, so re-inserting under a new name cannot collide with the old one.
        var kept = new Dictionary<long, UserRepositoryAccess>();
        foreach (var row in rows)
        {
            if (byId.TryGetValue(row.GitHubRepoId, out var repo) && row.RepositoryFullName == repo.FullName && kept.TryAdd(row.GitHubRepoId, row))
            {
                continue;
            }

            db.UserRepositories.Remove(row);
        }

        await db.SaveChangesAsync(cancellationToken);

        foreach (var repo in repositories)
        {
            if (!kept.TryGetValue(repo.Id, out var row))
            {
                row = new UserRepositoryAccess { UserId = userId, RepositoryFullName = repo.FullName, GitHubRepoId = repo.Id };
                db.UserRepositories.Add(row);
            }

            row.Private = repo.Private;
            row.Admin = repo.Permissions?.Admin ?? false;
            row.RefreshedAt = now;
        }

        await db.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Nectr's records for these repositories, by GitHub id (or by name for records made before the id was known).</summary>
    private async Task<Dictionary<long, RepositoryRecord>> ConnectionsAsync(IReadOnlyList<GitHubRepository> repositories, CancellationToken cancellationToken)
    {
        if (repositories.Count == 0)
        {
            return [];
        }

        var ids = repositories.Select(r => r.Id).ToList();
        var names = repositories.Select(r => r.FullName).ToList();
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var records = await db.Repositories.AsNoTracking()
            .Where(r => (r.GitHubId != null && ids.Contains(r.GitHubId.Value)) || names.Contains(r.FullName))
            .ToListAsync(cancellationToken);
        var result = new Dictionary<long, RepositoryRecord>();
        foreach (var repo in repositories)
        {
            var record = records.FirstOrDefault(r => r.GitHubId == repo.Id)
                ?? records.FirstOrDefault(r => r.GitHubId is null && string.Equals(r.FullName, repo.FullName, StringComparison.OrdinalIgnoreCase));
            if (record is not null)
            {
                result[repo.Id] = record;
            }
        }

        return result;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Listing the repositories of user {UserId} on GitHub failed: {Reason}")]
        public static partial void ListFailed(ILogger logger, Exception? exception, long userId, string reason);
    }
}
