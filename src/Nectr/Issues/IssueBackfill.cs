using System.Globalization;
using Nectr.GitHub;
using Nectr.Sync;

namespace Nectr.Issues;

/// <summary>
/// Fills the issue index with a newly connected repository's open issues, most recently updated first: one page of 100
/// per step, at most <see cref="MaxPages"/> pages, so at most <see cref="MaxIssues"/> issues and as many GitHub reads.
/// GitHub lists pull requests among issues; they are skipped (and count toward the listing). The cursor is the next
/// page's number. A step is idempotent: writes are upserts that a newer webhook's facts win.
/// </summary>
internal sealed class IssueBackfill(IGitHubApi github, IssueStore store, TimeProvider time) : IRepositorySyncTask
{
    public const string TaskKind = "issue-backfill";

    public const int MaxIssues = 500;

    private const int PageSize = 100;

    public const int MaxPages = MaxIssues / PageSize;

    public string Kind => TaskKind;

    public async Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken)
    {
        // A cursor this task did not write starts over: the steps are idempotent.
        var page = int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var next) && next >= 1 ? next : 1;
        if (page > MaxPages)
        {
            return null;
        }

        var (owner, repo) = Split(repositoryFullName);
        var listed = await github.ListIssuesPageAsync(owner, repo, IssueFacts.Open, page, cancellationToken);
        var now = time.GetUtcNow();
        await store.RecordAsync(listed.Items.Select(i => IssueFacts.FromGitHub(repositoryFullName, i, now)).OfType<IssueFacts>(), cancellationToken);
        return listed.HasNext && page < MaxPages ? (page + 1).ToString(CultureInfo.InvariantCulture) : null;
    }

    private static (string Owner, string Repo) Split(string fullName)
    {
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        return slash > 0 && slash < fullName.Length - 1
            ? (fullName[..slash], fullName[(slash + 1)..])
            : throw new ArgumentException($"'{fullName}' is not owner/repository.", nameof(fullName));
    }
}
