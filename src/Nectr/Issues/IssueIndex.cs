using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Context;

namespace Nectr.Issues;

/// <summary>An issue as the index holds it, for the model's issue tools. Title, body and labels are untrusted text.</summary>
internal sealed record IssueDetails(int Number, string Title, string Body, string State, IReadOnlyList<string> Labels);

/// <summary>
/// What the issue index says for a review: open issues the pull request may resolve (the engine's BM25 over the most
/// recently updated open issues), one issue by number, and a free-text search. Every query reads one bounded index
/// range of <c>issues</c>; failures propagate to the caller, which degrades (a review never fails for its context).
/// </summary>
internal sealed class IssueIndex(IDbContextFactory<NectrDb> dbs)
{
    /// <summary>Open issues ranked for candidates: the most recently updated ones; older ones are rarely what a PR resolves.</summary>
    public const int MaxOpenIssues = 500;

    /// <summary>Issues, open or closed, a search ranks: the most recently updated ones.</summary>
    public const int MaxSearchedIssues = 1_000;

    /// <summary>The most results a search returns, whatever the caller asks.</summary>
    public const int MaxSearchResults = 20;

    /// <summary>
    /// Open issues of the repository whose words overlap the pull request's <paramref name="title"/> and
    /// <paramref name="body"/>, best first (at most <see cref="CandidateIssues.MaxCandidates"/>, each at least
    /// <see cref="CandidateIssues.MinScore"/>), leaving out the issue numbers in <paramref name="exclude"/> (the linked ones).
    /// </summary>
    public async Task<IReadOnlyList<IssueCandidate>> CandidatesAsync(
        string repositoryFullName, string title, string? body, IReadOnlyCollection<int> exclude, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var open = await db.Issues.AsNoTracking()
            .Where(i => i.RepositoryFullName == repositoryFullName && i.State == IssueFacts.Open)
            .OrderByDescending(i => i.UpdatedAtMs)
            .Take(MaxOpenIssues)
            .Select(i => new OpenIssue(i.Number, i.Title, i.Body))
            .ToListAsync(cancellationToken);
        return CandidateIssues.Rank(title, body, open, exclude.ToHashSet());
    }

    /// <summary>The issue <paramref name="number"/> of the repository, open or closed, or null when the index does not hold it.</summary>
    public async Task<IssueDetails?> FindAsync(string repositoryFullName, int number, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var row = await db.Issues.AsNoTracking()
            .SingleOrDefaultAsync(i => i.RepositoryFullName == repositoryFullName && i.Number == number, cancellationToken);
        return row is null ? null : Details(row);
    }

    /// <summary>
    /// Issues of the repository, open or closed, matching <paramref name="query"/> by BM25 (any overlap counts), best
    /// first, at most <paramref name="limit"/> (and never more than <see cref="MaxSearchResults"/>).
    /// </summary>
    public async Task<IReadOnlyList<IssueDetails>> SearchAsync(string repositoryFullName, string query, int limit, CancellationToken cancellationToken)
    {
        limit = Math.Clamp(limit, 0, MaxSearchResults);
        if (limit == 0 || string.IsNullOrWhiteSpace(query))
        {
            return [];
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.Issues.AsNoTracking()
            .Where(i => i.RepositoryFullName == repositoryFullName)
            .OrderByDescending(i => i.UpdatedAtMs)
            .Take(MaxSearchedIssues)
            .ToListAsync(cancellationToken);
        // A search asks for the best matches however weak: the tools' BM25, with no candidate floor.
        return [.. TextSearch.Rank(query, [.. rows.Select(r => r.Title + "\n" + r.Body)], limit).Select(i => Details(rows[i]))];
    }

    private static IssueDetails Details(IssueRecord row) =>
        new(row.Number, row.Title, row.Body, row.State, row.Labels.Length == 0 ? [] : row.Labels.Split('\n'));
}
