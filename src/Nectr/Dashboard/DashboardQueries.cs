using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Events;
using Nectr.Reviews;

namespace Nectr.Dashboard;

/// <summary>
/// What the dashboard pages show. Reviews and activity come from <see cref="ReviewReadModel"/>, the same read model as
/// the API, shaped here into the pages' rows; the repositories pages read the user's access rows directly. Everything
/// is scoped by <see cref="RepositoryScope"/>.
/// </summary>
internal sealed class DashboardQueries(IDbContextFactory<NectrDb> dbs, ReviewReadModel reads)
{
    public const int ChartDays = 30;

    /// <summary>The reviews page shows the first page at the API's largest page size.</summary>
    public const int PageSize = PageRequest.MaxPerPage;

    public static readonly IReadOnlyList<string> Verdicts = [StoredVerdict.Approve, StoredVerdict.NeedsDiscussion, StoredVerdict.RequestChanges];

    public async Task<HomeSummary> HomeAsync(long userId, CancellationToken cancellationToken)
    {
        var numbers = await reads.StatsAsync(userId, ChartDays, cancellationToken);
        var perDay = numbers.PerDay.Select(d => (d.Day, d.Reviews)).ToList();
        var mix = numbers.Verdicts;
        List<(string, int)> verdicts =
        [
            (StoredVerdict.Approve, mix.Approve), (StoredVerdict.NeedsDiscussion, mix.NeedsDiscussion), (StoredVerdict.RequestChanges, mix.RequestChanges),
        ];

        var recent = await reads.ReviewsAsync(userId, new ReviewFilter { Page = PageRequest.From(1, 10) }, cancellationToken);
        var (repositories, connected) = await reads.RepositoryCountsAsync(userId, cancellationToken);
        return new HomeSummary(perDay, verdicts, recent.Items.Select(Row).ToList(), repositories, connected);
    }

    public async Task<IReadOnlyList<RepositoryRow>> RepositoriesAsync(long userId, string? search, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = from a in db.UserRepositories.Where(a => a.UserId == userId)
                    join r in db.Repositories on a.RepositoryFullName equals r.FullName into known
                    from r in known.DefaultIfEmpty()
                    select new RepositoryRow(a.RepositoryFullName, a.Private, a.Admin, r != null && r.Connected,
                        r == null ? null : r.ConnectedAt, r == null ? 0 : r.SignatureFailures, r == null ? null : r.LastSignatureFailureAt,
                        r == null ? null : r.InstallationId, r != null && r.HookId != null);
        var rows = await query.ToListAsync(cancellationToken);
        // Filtered in memory: case-insensitive matching differs between SQLite and PostgreSQL, and a user sees hundreds of repositories at most.
        return rows.Where(r => string.IsNullOrWhiteSpace(search) || r.FullName.Contains(search.Trim(), StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(r => r.Connected).ThenBy(r => r.FullName, StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<IReadOnlyList<string>> RepositoryNamesAsync(long userId, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var names = await db.VisibleTo(userId).ToListAsync(cancellationToken);
        return names.Order(StringComparer.OrdinalIgnoreCase).ToList();
    }

    public async Task<IReadOnlyList<ReviewRow>> ReviewsAsync(long userId, string? repository, string? verdict, CancellationToken cancellationToken)
    {
        var filter = new ReviewFilter
        {
            Repo = string.IsNullOrEmpty(repository) ? null : repository,
            Verdict = string.IsNullOrEmpty(verdict) ? null : verdict,
            Page = PageRequest.From(1, PageSize),
        };
        return (await reads.ReviewsAsync(userId, filter, cancellationToken)).Items.Select(Row).ToList();
    }

    /// <summary>The review, or null when it does not exist or the user cannot see its repository (the same answer for both).</summary>
    public async Task<ReviewDetailModel?> ReviewAsync(long userId, long id, CancellationToken cancellationToken)
    {
        if (await reads.ReviewAsync(userId, id, liveState: false, cancellationToken) is not { } review)
        {
            return null;
        }

        // Most severe first; the read model's file and line order breaks ties (OrderBy is stable).
        var findings = review.Findings.OrderBy(f => SeverityRank(f.Severity))
            .Select(f => new FindingRow(f.Severity, f.Category, f.File, f.Line, f.EndLine, f.Title, f.Inline)).ToList();
        var row = new ReviewRow(review.Id, review.Repository, review.PullNumber, review.HeadSha, review.Verdict, review.Usage.Model,
            findings.Count, review.Usage.CostUsd, review.Timings.CreatedAt);
        return new ReviewDetailModel(row, ReviewMarkdown.ToHtml(review.Summary), review.VerdictReason, review.Event, review.Links.Review,
            review.Coverage.ChangedFiles, review.Coverage.ReviewedFiles, review.InlineComments, review.Timings.DurationMs, review.Usage.LlmCalls,
            review.Usage.InputTokens, review.Usage.OutputTokens, Notes(review.Coverage.Skipped), Notes(review.Coverage.NotSentToModel), findings);
    }

    /// <summary>The latest deliveries, or only the parked ones: the API's <c>outcome=parked</c>, the same rule.</summary>
    public async Task<IReadOnlyList<ActivityRow>> ActivityAsync(long userId, bool parkedOnly, CancellationToken cancellationToken)
    {
        var filter = new EventFilter { Outcome = parkedOnly ? DeliveryOutcome.Parked : null, Page = PageRequest.From(1, PageSize) };
        var page = await reads.ActivityAsync(userId, filter, cancellationToken);
        return page.Items.Select(d => new ActivityRow(d.Id, d.DeliveryId, d.Event, d.Action, d.Repository, d.PullNumber, d.ReceivedAt,
            Outcome(d), d.OutcomeReason ?? d.Job?.OutcomeReason, d.Job?.Id, d.Job?.Status, d.Job?.Attempts ?? 0, d.Job?.LastError, d.Retryable)).ToList();
    }

    public async Task<IReadOnlyList<RepositoryRow>> SignatureFailuresAsync(long userId, CancellationToken cancellationToken) =>
        (await RepositoriesAsync(userId, null, cancellationToken)).Where(r => r.SignatureFailures > 0).ToList();

    /// <summary>The delivery's outcome as stored; a pending one whose job is queued or running reads "in progress".</summary>
    private static string Outcome(EventView delivery) =>
        delivery.Outcome == "pending" && delivery.Job?.Status is "queued" or "running" ? "in progress" : delivery.Outcome;

    private static ReviewRow Row(ReviewSummary r) =>
        new(r.Id, r.Repository, r.PullNumber, r.HeadSha, r.Verdict, r.Model, r.Findings, r.CostUsd, r.CreatedAt);

    private static List<CoverageNote> Notes(IReadOnlyList<FileNote> notes) => notes.Select(n => new CoverageNote(n.Path, n.Reason)).ToList();

    internal static int SeverityRank(string severity) => severity.ToLowerInvariant() switch
    {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    };
}
