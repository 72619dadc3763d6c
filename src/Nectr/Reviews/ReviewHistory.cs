using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Reviews;

/// <summary>
/// The reviews a user may see, for the API and the dashboard alike. Every query starts from
/// <see cref="RepositoryScope.VisibleTo"/>; a review outside it does not exist for that user.
/// </summary>
internal sealed class ReviewHistory(IDbContextFactory<NectrDb> dbs, PullRequestStateCache prStates, IOptions<GitHubOptions> gitHub)
{
    /// <summary>
    /// A state filter looks up at most this many PRs (the most recently reviewed that match the other filters): as many
    /// as the cache holds, so paging through the result does not ask GitHub again.
    /// </summary>
    public const int StateLookupLimit = PullRequestStateCache.Capacity;

    private const int StateLookupConcurrency = 8;

    public async Task<PageOf<ReviewSummary>> ListAsync(long userId, ReviewFilter filter, CancellationToken cancellationToken)
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
        var rows = await query
            .OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id)
            .Skip(filter.Page.Skip).Take(filter.Page.PerPage)
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

    /// <summary>The review, or null when it does not exist or the user may not see it (the API answers both with 404).</summary>
    public async Task<ReviewDetail?> GetAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var review = await db.Reviews.AsNoTracking()
            .Where(r => r.Id == id && db.VisibleTo(userId).Contains(r.RepositoryFullName))
            .Include(r => r.Findings)
            .FirstOrDefaultAsync(cancellationToken);
        if (review is null)
        {
            return null;
        }

        var state = await prStates.GetAsync(review.RepositoryFullName, review.PullNumber, cancellationToken);
        return new ReviewDetail(
            review.Id, review.RepositoryFullName, review.PullNumber, review.HeadSha, review.Event, review.Verdict, review.VerdictReason, review.Body,
            review.Findings.OrderBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line).ThenBy(f => f.Id)
                .Select(f => new FindingView(f.File, f.Line, f.EndLine, f.Severity, f.Category, f.Title, f.Body, f.Suggestion, f.Inline, f.RuleId)).ToList(),
            new ReviewCoverage(review.ChangedFiles, review.ReviewedFiles, FileNotes(review.SkippedFilesJson), FileNotes(review.NotSentToModelJson)),
            new ReviewUsage(review.Model, review.LlmCalls, review.InputTokens, review.OutputTokens, review.CostUsd),
            new ReviewTimings(review.DurationMs, AsUtc(review.CreatedAt)),
            new ReviewLinks(PullRequestUrl(review.RepositoryFullName, review.PullNumber), review.HtmlUrl),
            state?.Name());
    }

    public string PullRequestUrl(string repositoryFullName, int number) =>
        new Uri(gitHub.Value.WebUrl, $"{repositoryFullName}/pull/{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}").ToString();

    private static IQueryable<ReviewRecord> Filtered(NectrDb db, long userId, ReviewFilter filter)
    {
        var query = db.Reviews.AsNoTracking().Where(r => db.VisibleTo(userId).Contains(r.RepositoryFullName));
        if (!string.IsNullOrEmpty(filter.Repo))
        {
            query = query.Where(r => r.RepositoryFullName == filter.Repo);
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

    /// <summary>Stored as [[path, reason], …]; {path, reason} objects are read too.</summary>
    private static List<FileNote> FileNotes(string? json)
    {
        var notes = new List<FileNote>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return notes;
        }

        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return notes;
            }

            foreach (var item in doc.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() >= 2)
                {
                    notes.Add(new FileNote(item[0].GetString() ?? "", item[1].GetString() ?? ""));
                }
                else if (item.ValueKind == JsonValueKind.Object)
                {
                    notes.Add(new FileNote(
                        item.TryGetProperty("path", out var path) ? path.GetString() ?? "" : "",
                        item.TryGetProperty("reason", out var reason) ? reason.GetString() ?? "" : ""));
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // A row written by an older version in another shape: show no list rather than fail the page.
        }

        return notes;
    }

    /// <summary>SQLite hands DateTimes back unspecified; the API always speaks UTC.</summary>
    internal static DateTime AsUtc(DateTime value) => DateTime.SpecifyKind(value, DateTimeKind.Utc);
}
