using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Reviews;

/// <summary>
/// The one read model of reviews and activity: the API (<c>/api/v1/reviews</c>, <c>/api/v1/events</c>) and the dashboard
/// pages both read through it, so scoping, ordering, paging and what "parked" means cannot drift apart again. Every query
/// starts from <see cref="RepositoryScope.VisibleTo"/>; a row outside it does not exist for that user. Lists are newest
/// first (then by id, so equal times page stably).
/// </summary>
internal sealed partial class ReviewReadModel(IDbContextFactory<NectrDb> dbs, PullRequestStateCache prStates, IOptions<GitHubOptions> gitHub, TimeProvider time)
{
    /// <summary>
    /// A state filter looks up at most this many PRs (the most recently reviewed that match the other filters): as many
    /// as the cache holds, so paging through the result does not ask GitHub again.
    /// </summary>
    public const int StateLookupLimit = PullRequestStateCache.Capacity;

    private const int StateLookupConcurrency = 8;

    public async Task<PageOf<ReviewSummary>> ReviewsAsync(long userId, ReviewFilter filter, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Filtered(db, userId, filter);
        Dictionary<string, PullRequestLiveState>? states = null;
        if (filter.State is { } wanted)
        {
            states = await StatesOfLatestAsync(query, cancellationToken);
            var keys = states.Where(s => s.Value == wanted).Select(s => s.Key).ToList();
            query = query.Where(r => keys.Contains(r.RepositoryFullName + "#" + r.PullNumber.ToString()));
        }

        var total = await query.CountAsync(cancellationToken);
        // The page's ids first, then its rows: ordering ids reads only the (repository, created) index, where ordering
        // the rows themselves read every visible review's row before the sort cut it to a page (40 ms at 10,000 reviews).
        var ids = await query
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(filter.Page.Skip).Take(filter.Page.PerPage)
            .Select(r => r.Id)
            .ToListAsync(cancellationToken);
        var rows = await db.Reviews.AsNoTracking()
            .Where(r => ids.Contains(r.Id))
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Select(r => new
            {
                r.Id, r.RepositoryFullName, r.PullNumber, r.HeadSha, r.Verdict, r.VerdictReason, Findings = r.Findings.Count,
                r.InlineComments, r.Model, r.CostUsd, r.CreatedAt, r.HtmlUrl,
            })
            .ToListAsync(cancellationToken);
        var items = rows.Select(r => new ReviewSummary(
            r.Id, r.RepositoryFullName, r.PullNumber, r.HeadSha, r.Verdict, r.VerdictReason, r.Findings, r.InlineComments, r.Model, r.CostUsd,
            AsUtc(r.CreatedAt), PullRequestUrl(r.RepositoryFullName, r.PullNumber), r.HtmlUrl,
            states is not null && states.TryGetValue(PullRequestStateCache.Key(r.RepositoryFullName, r.PullNumber), out var s) ? s.Name() : null)).ToList();
        return new PageOf<ReviewSummary>(items, filter.Page.Page, filter.Page.PerPage, total);
    }

    /// <summary>
    /// The review, or null when it does not exist or the user may not see it (both answers look the same). With
    /// <paramref name="liveState"/> the PR's state is looked up on GitHub (through the cache); the dashboard page does not show it.
    /// </summary>
    public async Task<ReviewDetail?> ReviewAsync(long userId, long id, bool liveState, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var review = await VisibleReviews(db, userId)
            .Where(r => r.Id == id)
            .Include(r => r.Findings)
            .FirstOrDefaultAsync(cancellationToken);
        if (review is null)
        {
            return null;
        }

        var state = liveState ? await prStates.GetAsync(review.RepositoryFullName, review.PullNumber, cancellationToken) : null;
        return new ReviewDetail(
            review.Id, review.RepositoryFullName, review.PullNumber, review.HeadSha, review.Event, review.Verdict, review.VerdictReason, review.Body,
            review.Findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Id)
                .Select(f => new FindingView(f.File, f.Line, f.EndLine, f.Severity, f.Category, f.Title, f.Body, f.Suggestion, f.Inline, f.RuleId)).ToList(),
            new ReviewCoverage(review.ChangedFiles, review.ReviewedFiles, Notes(review.SkippedFiles), Notes(review.NotSentToModel)),
            new ReviewUsage(review.Model, review.LlmCalls, review.InputTokens, review.OutputTokens, review.CostUsd),
            new ReviewTimings(review.DurationMs, AsUtc(review.CreatedAt)),
            new ReviewLinks(PullRequestUrl(review.RepositoryFullName, review.PullNumber), review.HtmlUrl),
            state?.Name(),
            review.InlineComments);
    }

    public string PullRequestUrl(string repositoryFullName, int number) =>
        new Uri(gitHub.Value.WebUrl, $"{repositoryFullName}/pull/{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}").ToString();

    /// <summary>The reviews the user may see: the scoping every review query (here and in Analytics/) starts from.</summary>
    internal static IQueryable<ReviewRecord> VisibleReviews(NectrDb db, long userId) =>
        db.Reviews.AsNoTracking().Where(r => db.VisibleTo(userId).Contains(r.RepositoryFullName));

    private static IQueryable<ReviewRecord> Filtered(NectrDb db, long userId, ReviewFilter filter)
    {
        var query = VisibleReviews(db, userId);
        if (!string.IsNullOrEmpty(filter.Repo))
        {
            query = query.Where(r => r.RepositoryFullName == filter.Repo);
        }

        if (filter.PullNumber is { } number)
        {
            query = query.Where(r => r.PullNumber == number);
        }

        if (!string.IsNullOrEmpty(filter.Verdict))
        {
            query = query.Where(r => r.Verdict == filter.Verdict);
        }

        if (filter.Query?.Trim() is { Length: > 0 } text)
        {
            var q = text.ToLowerInvariant();
            // lower() on both sides is what both providers translate; the StringComparison overloads CA1862 suggests are not.
#pragma warning disable CA1862
            query = query.Where(r => r.RepositoryFullName.ToLower().Contains(q) || r.HeadSha.ToLower().StartsWith(q) || r.Body.ToLower().Contains(q));
#pragma warning restore CA1862
        }

        return query;
    }

    /// <summary>Live states of the most recently reviewed PRs among <paramref name="query"/>, keyed like the cache.</summary>
    private async Task<Dictionary<string, PullRequestLiveState>> StatesOfLatestAsync(IQueryable<ReviewRecord> query, CancellationToken cancellationToken)
    {
        var prs = await query
            .GroupBy(r => new { r.RepositoryFullName, r.PullNumber })
            .Select(g => new { g.Key.RepositoryFullName, g.Key.PullNumber, Latest = g.Max(r => r.Id) })
            .OrderByDescending(p => p.Latest)
            .Take(StateLookupLimit)
            .ToListAsync(cancellationToken);
        var states = new Dictionary<string, PullRequestLiveState>(StringComparer.Ordinal);
        var gate = new Lock();
        await Parallel.ForEachAsync(prs, new ParallelOptions { MaxDegreeOfParallelism = StateLookupConcurrency, CancellationToken = cancellationToken }, async (pr, ct) =>
        {
            if (await prStates.GetAsync(pr.RepositoryFullName, pr.PullNumber, ct) is { } state)
            {
                lock (gate)
                {
                    states[PullRequestStateCache.Key(pr.RepositoryFullName, pr.PullNumber)] = state;
                }
            }
        });
        return states;
    }

    private static List<FileNote> Notes(List<FileNoteRecord> notes) => notes.Select(n => new FileNote(n.Path, n.Reason)).ToList();

    /// <summary>SQLite hands DateTimes back unspecified; the API always speaks UTC.</summary>
    internal static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
