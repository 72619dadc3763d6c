using Microsoft.EntityFrameworkCore;
using Nectr.Data;

namespace Nectr.Knowledge;

/// <summary>A pull request that touched a file, newest first: what <c>get_file_history</c> tells the model.</summary>
internal sealed record FileChange(int Number, string Title, string AuthorLogin, string State, DateTime? MergedAt, string? Verdict);

/// <summary>
/// The recent pull requests of a repository that touched one path, from the knowledge index: one range of the index
/// <c>(RepositoryFullName, Path, PullRequestId)</c> of <c>pull_request_files</c>, joined to <c>pull_requests</c> by key.
/// </summary>
internal sealed class FileHistory(IDbContextFactory<NectrDb> dbs)
{
    /// <summary>How many pull requests an answer names.</summary>
    public const int Top = 10;

    /// <summary>The last <see cref="Top"/> pull requests (by GitHub's update time) that touched <paramref name="path"/>, leaving out pull request <paramref name="number"/>.</summary>
    public async Task<IReadOnlyList<FileChange>> RecentAsync(string repository, string path, int number, CancellationToken cancellationToken)
    {
        if (path.Length is 0 or > KnowledgeModel.MaxPathLength)
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFiles
            .Where(f => f.RepositoryFullName == repository && f.Path == path)
            .Join(db.PullRequests, f => f.PullRequestId, p => p.Id, (f, p) => p)
            .Where(p => p.Number != number)
            .OrderByDescending(p => p.UpdatedAtMs).ThenByDescending(p => p.Number)
            .Select(p => new { p.Number, p.Title, p.AuthorLogin, p.State, p.MergedAt, p.LastVerdict })
            .Take(Top)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => new FileChange(r.Number, r.Title, r.AuthorLogin, r.State, r.MergedAt, r.LastVerdict))];
    }
}
