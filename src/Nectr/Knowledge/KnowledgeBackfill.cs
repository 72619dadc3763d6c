using System.Globalization;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;
using Nectr.Sync;

namespace Nectr.Knowledge;

/// <summary>
/// Fills the knowledge index of a newly connected repository from its last <c>KNOWLEDGE_BACKFILL_PRS</c> closed pull
/// requests (most recently updated first, as GitHub lists them): author, state, merged time and files, written through
/// <see cref="KnowledgeIndex"/>, which leaves the verdict of Nectr's own reviews as it was. The cursor is
/// <c>page:index</c> in GitHub's list, so a restart resumes mid-page; a step reads one page of the list (ETag-cached,
/// so re-reading it costs no quota) and the files of at most <see cref="PullRequestsPerStep"/> of its pull requests.
/// A pull request updated while the backfill runs moves to the front of GitHub's list and may be skipped; the
/// webhook delivery of that update indexes it anyway.
/// </summary>
internal sealed class KnowledgeBackfill(IGitHubApi gitHub, KnowledgeIndex index, IOptions<SyncOptions> options, TimeProvider time) : IRepositorySyncTask
{
    public const string KindName = "knowledge-backfill";

    /// <summary>Pull requests whose files one step reads: about 20 GitHub calls, well inside a lease.</summary>
    public const int PullRequestsPerStep = 20;

    /// <summary>GitHub's page size for the pull request list (<c>per_page=100</c>).</summary>
    private const int PageSize = 100;

    public string Kind => KindName;

    public async Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken)
    {
        var limit = options.Value.BackfillPullRequests;
        var (page, start) = Parse(cursor);
        if ((page - 1) * PageSize + start >= limit)
        {
            return null; // 0 turns the backfill off; otherwise the bound is reached
        }

        var slash = repositoryFullName.IndexOf('/', StringComparison.Ordinal);
        var (owner, repo) = (repositoryFullName[..slash], repositoryFullName[(slash + 1)..]);
        var list = await gitHub.ListPullRequestsPageAsync(owner, repo, "closed", page, cancellationToken);
        var end = Math.Min(Math.Min(list.Items.Count, start + PullRequestsPerStep), limit - (page - 1) * PageSize);
        for (var i = start; i < end; i++)
        {
            var pr = list.Items[i];
            var files = await gitHub.ListPullRequestFilesAsync(owner, repo, pr.Number, cancellationToken);
            await index.RecordPullRequestAsync(PullRequestFacts.FromGitHub(repositoryFullName, pr, time.GetUtcNow()), files.Select(f => f.Filename), cancellationToken);
        }

        var done = (page - 1) * PageSize + end >= limit;
        return done ? null
            : end < list.Items.Count ? Cursor(page, end)
            : list.HasNext ? Cursor(page + 1, 0)
            : null;
    }

    private static string Cursor(int page, int index) => string.Create(CultureInfo.InvariantCulture, $"{page}:{index}");

    /// <summary>The start is page 1, index 0; a cursor this class did not write starts over rather than failing forever.</summary>
    private static (int Page, int Index) Parse(string? cursor)
    {
        if (cursor?.Split(':') is [var p, var i]
            && int.TryParse(p, NumberStyles.None, CultureInfo.InvariantCulture, out var page) && page >= 1
            && int.TryParse(i, NumberStyles.None, CultureInfo.InvariantCulture, out var index) && index is >= 0 and < PageSize)
        {
            return (page, index);
        }

        return (1, 0);
    }
}
