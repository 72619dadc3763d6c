using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Auth;
using Nectr.Data;
using Nectr.Reviews;

namespace Nectr.Dashboard;

/// <summary>
/// What the dashboard reads, always through <see cref="UserRepositoryAccess"/>: a user sees a repository's
/// reviews and deliveries only while GitHub says they can see the repository.
/// </summary>
internal sealed class DashboardQueries(IDbContextFactory<NectrDb> dbs, ReviewStats stats)
{
    public const int ChartDays = 30;
    public const int PageSize = 100;

    public static readonly IReadOnlyList<string> Verdicts = [StoredVerdict.Approve, StoredVerdict.NeedsDiscussion, StoredVerdict.RequestChanges];

    public async Task<HomeSummary> HomeAsync(long userId, CancellationToken cancellationToken)
    {
        var numbers = await stats.ForUserAsync(userId, ChartDays, cancellationToken);
        var perDay = numbers.PerDay.Select(d => (d.Day, d.Reviews)).ToList();
        var mix = numbers.Verdicts;
        List<(string, int)> verdicts =
        [
            (StoredVerdict.Approve, mix.Approve), (StoredVerdict.NeedsDiscussion, mix.NeedsDiscussion), (StoredVerdict.RequestChanges, mix.RequestChanges),
        ];

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await Rows(Visible(db, userId).OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(10))
            .ToListAsync(cancellationToken);
        var visible = db.VisibleTo(userId);
        var repositories = await visible.CountAsync(cancellationToken);
        var connected = await db.Repositories.CountAsync(r => r.Connected && visible.Contains(r.FullName), cancellationToken);
        return new HomeSummary(perDay, verdicts, rows, repositories, connected);
    }

    public async Task<IReadOnlyList<RepositoryRow>> RepositoriesAsync(long userId, string? search, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = from a in db.UserRepositories.Where(a => a.UserId == userId)
                    join r in db.Repositories on a.RepositoryFullName equals r.FullName into known
                    from r in known.DefaultIfEmpty()
                    select new RepositoryRow(a.RepositoryFullName, a.Private, a.Admin, r != null && r.Connected,
                        r == null ? null : r.ConnectedAt, r == null ? 0 : r.SignatureFailures, r == null ? null : r.LastSignatureFailureAt);
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
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = Visible(db, userId);
        if (!string.IsNullOrEmpty(repository))
        {
            query = query.Where(r => r.RepositoryFullName == repository);
        }

        if (!string.IsNullOrEmpty(verdict))
        {
            query = query.Where(r => r.Verdict == verdict);
        }

        return await Rows(query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.Id).Take(PageSize)).ToListAsync(cancellationToken);
    }

    /// <summary>The review, or null when it does not exist or the user cannot see its repository (the same answer for both).</summary>
    public async Task<ReviewDetailModel?> ReviewAsync(long userId, long id, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var review = await Visible(db, userId).Include(r => r.Findings).FirstOrDefaultAsync(r => r.Id == id, cancellationToken);
        if (review is null)
        {
            return null;
        }

        var findings = review.Findings
            .OrderBy(f => SeverityRank(f.Severity)).ThenBy(f => f.File, StringComparer.Ordinal).ThenBy(f => f.Line)
            .Select(f => new FindingRow(f.Severity, f.Category, f.File, f.Line, f.EndLine, f.Title, f.Inline)).ToList();
        var row = new ReviewRow(review.Id, review.RepositoryFullName, review.PullNumber, review.HeadSha, review.Verdict, review.Model,
            findings.Count, review.CostUsd, review.CreatedAt);
        return new ReviewDetailModel(row, ReviewMarkdown.ToHtml(review.Body), review.VerdictReason, review.Event, review.HtmlUrl,
            review.ChangedFiles, review.ReviewedFiles, review.InlineComments, review.DurationMs, review.LlmCalls,
            review.InputTokens, review.OutputTokens, Coverage(review.SkippedFilesJson), Coverage(review.NotSentToModelJson), findings);
    }

    public async Task<IReadOnlyList<ActivityRow>> ActivityAsync(long userId, bool parkedOnly, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var query = db.Deliveries.Where(d => d.RepositoryFullName != null && db.VisibleTo(userId).Contains(d.RepositoryFullName));
        if (parkedOnly)
        {
            query = query.Where(d => d.Outcome == DeliveryOutcome.Parked || (d.Job != null && d.Job.Status == JobStatus.Parked));
        }

        var rows = await query.OrderByDescending(d => d.ReceivedAt).ThenByDescending(d => d.Id).Take(PageSize)
            .Select(d => new
            {
                d.Id, d.DeliveryId, d.Event, d.Action, d.RepositoryFullName, d.PullNumber, d.ReceivedAt, d.Outcome, d.OutcomeReason, d.JobId,
                JobStatus = d.Job == null ? (JobStatus?)null : d.Job.Status,
                Attempts = d.Job == null ? 0 : d.Job.Attempts,
                JobReason = d.Job == null ? null : d.Job.OutcomeReason,
                LastError = d.Job == null ? null : d.Job.LastError,
            })
            .ToListAsync(cancellationToken);
        return rows.Select(d => new ActivityRow(d.Id, d.DeliveryId, d.Event, d.Action, d.RepositoryFullName, d.PullNumber, d.ReceivedAt,
            Outcome(d.Outcome, d.JobStatus), d.OutcomeReason ?? d.JobReason, d.JobId, d.JobStatus?.ToString().ToLowerInvariant(),
            d.Attempts, d.LastError)).ToList();
    }

    public async Task<IReadOnlyList<RepositoryRow>> SignatureFailuresAsync(long userId, CancellationToken cancellationToken) =>
        (await RepositoriesAsync(userId, null, cancellationToken)).Where(r => r.SignatureFailures > 0).ToList();

    /// <summary>A delivery is parked when it is, or when the job it started is: the job parks after its last attempt.</summary>
    private static string Outcome(DeliveryOutcome outcome, JobStatus? job) => job == JobStatus.Parked ? "parked" : outcome switch
    {
        DeliveryOutcome.Pending when job is JobStatus.Queued or JobStatus.Running => "in progress",
        _ => outcome.ToString().ToLowerInvariant(),
    };

    private static IQueryable<ReviewRecord> Visible(NectrDb db, long userId) =>
        db.Reviews.Where(r => db.VisibleTo(userId).Contains(r.RepositoryFullName));

    private static IQueryable<ReviewRow> Rows(IQueryable<ReviewRecord> reviews) =>
        reviews.Select(r => new ReviewRow(r.Id, r.RepositoryFullName, r.PullNumber, r.HeadSha, r.Verdict, r.Model, r.Findings.Count, r.CostUsd, r.CreatedAt));

    internal static int SeverityRank(string severity) => severity.ToLowerInvariant() switch
    {
        "critical" => 0,
        "high" => 1,
        "medium" => 2,
        "low" => 3,
        _ => 4,
    };

    /// <summary>Reads the coverage columns: arrays of <c>[path, reason]</c> pairs, or of <c>{path, reason}</c> objects.</summary>
    internal static IReadOnlyList<CoverageNote> Coverage(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return [];
        }

        try
        {
            using var document = JsonDocument.Parse(json);
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                return [];
            }

            var notes = new List<CoverageNote>();
            foreach (var item in document.RootElement.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.Array && item.GetArrayLength() >= 2)
                {
                    notes.Add(new CoverageNote(item[0].ToString(), item[1].ToString()));
                }
                else if (item.ValueKind == JsonValueKind.Object)
                {
                    notes.Add(new CoverageNote(
                        item.TryGetProperty("path", out var path) ? path.ToString() : "?",
                        item.TryGetProperty("reason", out var reason) ? reason.ToString() : ""));
                }
            }

            return notes;
        }
        catch (JsonException)
        {
            return [];
        }
    }
}
