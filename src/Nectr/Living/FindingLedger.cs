using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Living;
using Nectr.Engine.Review;

namespace Nectr.Living;

/// <summary>What one run changed in the ledger: the findings it resolved, and how many earlier ones stay open.</summary>
internal sealed record LedgerApplied(IReadOnlyList<TrackedFinding> Resolved, int StillOpen);

/// <summary>
/// The one owner of <c>pull_request_findings</c> and <c>pull_request_states</c>: a pull request's findings by
/// fingerprint across its reviews, and the head it last reviewed. The decisions are <see cref="LedgerPlanner"/>'s
/// (pure); this class loads the rows they need and writes what they decided. At most one review of a PR runs at a
/// time (the job queue's promise), so reading then writing a PR's rows needs no lock beyond SQLite's single writer.
/// </summary>
internal sealed class FindingLedger(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, TimeProvider time)
{
    public async Task<PullRequestStateRecord?> StateAsync(string repository, int number, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.PullRequestStates.AsNoTracking().SingleOrDefaultAsync(s => s.RepositoryFullName == repository && s.Number == number, cancellationToken);
    }

    public async Task<LedgerPlan> PlanAsync(string repository, int number, ReviewResult result, ReviewRange range, string headSha, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var known = await db.PullRequestFindings.AsNoTracking()
            .Where(f => f.RepositoryFullName == repository && f.Number == number)
            .Select(f => new LedgerEntry(f.Fingerprint, f.File, f.State == TrackedFindingState.Open, f.Inline, f.ReviewCommentId != null, f.ThreadResolved, f.LastSeenSha))
            .ToListAsync(cancellationToken);
        return LedgerPlanner.Decide(known, result, range, headSha);
    }

    /// <summary>
    /// Writes the plan before the review is posted: new rows (those to post inline marked <c>Inline</c>, without a
    /// comment id until GitHub's is known), findings seen again, reopened and resolved ones. Written first so a
    /// process that dies after the POST leaves a ledger that already knows what the posted review carries.
    /// </summary>
    public async Task<LedgerApplied> ApplyAsync(string repository, int number, LedgerPlan plan, string headSha, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFindings
            .Where(f => f.RepositoryFullName == repository && f.Number == number)
            .ToDictionaryAsync(f => f.Fingerprint, StringComparer.Ordinal, cancellationToken);
        foreach (var found in plan.Found)
        {
            var finding = found.Finding;
            if (!rows.TryGetValue(finding.Fingerprint, out var row))
            {
                row = new PullRequestFindingRecord
                {
                    RepositoryFullName = repository, Number = number, Fingerprint = finding.Fingerprint, RuleId = Cap(finding.RuleId, 200),
                    File = finding.File, Severity = "", Category = "", Title = "", Body = "", FirstSeenSha = headSha, LastSeenSha = headSha, CreatedAt = now,
                };
                db.PullRequestFindings.Add(row);
                rows[finding.Fingerprint] = row;
            }

            // The finding as this run saw it: the code may have moved to other lines, the model may word it anew.
            row.File = finding.File;
            row.Line = finding.Line;
            row.EndLine = finding.EndLine;
            row.Severity = finding.Severity.ToString().ToLowerInvariant();
            row.Category = Cap(finding.Category, 100);
            row.Title = finding.Title;
            row.Body = finding.Body;
            row.Suggestion = finding.Suggestion;
            row.LastSeenSha = headSha;
            row.UpdatedAt = now;
            if (found.Action == LedgerAction.Reopened)
            {
                row.State = TrackedFindingState.Open;
                row.ResolvedSha = null;
            }

            if (found.PostInline)
            {
                // A new comment is on its way: the old one's id and thread (if any) no longer describe it.
                row.Inline = true;
                row.ReviewCommentId = null;
                row.ThreadNodeId = null;
                row.ThreadResolved = false;
            }
        }

        var resolved = new List<TrackedFinding>();
        foreach (var fingerprint in plan.Resolve)
        {
            var row = rows[fingerprint];
            row.State = TrackedFindingState.Resolved;
            row.ResolvedSha = headSha;
            row.UpdatedAt = now;
            resolved.Add(Tracked(row, TrackedStatus.Resolved));
        }

        await db.SaveChangesAsync(cancellationToken);
        var fresh = plan.Fresh.Select(f => f.Finding.Fingerprint).ToHashSet(StringComparer.Ordinal);
        var stillOpen = rows.Values.Count(r => r.State == TrackedFindingState.Open && !fresh.Contains(r.Fingerprint));
        return new LedgerApplied(resolved, stillOpen);
    }

    /// <summary>GitHub refused the inline comments and the review carried them in its body: none of them is on a line.</summary>
    public async Task NotInlineAsync(string repository, int number, IEnumerable<string> fingerprints, CancellationToken cancellationToken)
    {
        var set = fingerprints.ToList();
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.PullRequestFindings
            .Where(f => f.RepositoryFullName == repository && f.Number == number && set.Contains(f.Fingerprint) && f.ReviewCommentId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(f => f.Inline, false), cancellationToken);
    }

    /// <summary>Records GitHub's id of each inline comment of Nectr's review, matched by the fingerprint marker that ends it.</summary>
    public async Task<int> RecordCommentsAsync(string repository, int number, IReadOnlyList<(string Fingerprint, long CommentId)> comments, CancellationToken cancellationToken)
    {
        if (comments.Count == 0)
        {
            return 0;
        }

        var byFingerprint = comments.GroupBy(c => c.Fingerprint, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().CommentId, StringComparer.Ordinal);
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var keys = byFingerprint.Keys.ToList();
        var rows = await db.PullRequestFindings
            .Where(f => f.RepositoryFullName == repository && f.Number == number && keys.Contains(f.Fingerprint))
            .ToListAsync(cancellationToken);
        foreach (var row in rows)
        {
            row.ReviewCommentId = byFingerprint[row.Fingerprint];
            row.Inline = true;
            row.UpdatedAt = time.GetUtcNow().UtcDateTime;
        }

        await db.SaveChangesAsync(cancellationToken);
        return rows.Count;
    }

    /// <summary>Resolved findings whose inline comment's thread is not resolved yet (a failure last time is tried again).</summary>
    public async Task<IReadOnlyList<PullRequestFindingRecord>> ThreadsToResolveAsync(string repository, int number, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.PullRequestFindings.AsNoTracking()
            .Where(f => f.RepositoryFullName == repository && f.Number == number && f.State == TrackedFindingState.Resolved
                && f.ReviewCommentId != null && !f.ThreadResolved)
            .OrderBy(f => f.Id)
            .ToListAsync(cancellationToken);
    }

    public async Task ThreadResolvedAsync(long findingId, string threadId, CancellationToken cancellationToken)
    {
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.PullRequestFindings.Where(f => f.Id == findingId).ExecuteUpdateAsync(u => u
            .SetProperty(f => f.ThreadNodeId, threadId)
            .SetProperty(f => f.ThreadResolved, true)
            .SetProperty(f => f.UpdatedAt, time.GetUtcNow().UtcDateTime), cancellationToken);
    }

    /// <summary>
    /// The run is over: the next incremental review starts from <paramref name="headSha"/>. A REQUEST_CHANGES review
    /// this run posted is remembered until it is dismissed.
    /// </summary>
    public async Task AdvanceAsync(string repository, int number, string headSha, long? blockingReviewId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var state = await TrackedStateAsync(db, repository, number, cancellationToken);

        state.LastReviewedSha = headSha;
        state.LastReviewedAt = now;
        state.UpdatedAt = now;
        if (blockingReviewId is { } blocking)
        {
            state.BlockingReviewId = blocking;
        }

        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The summary comment now on the PR, and the blocking review still to dismiss later (null: none).</summary>
    public async Task SummarizedAsync(string repository, int number, long summaryCommentId, long? blockingReviewId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        using var _ = await writeGate.EnterAsync(cancellationToken);
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var state = await TrackedStateAsync(db, repository, number, cancellationToken);

        state.SummaryCommentId = summaryCommentId;
        state.BlockingReviewId = blockingReviewId;
        state.UpdatedAt = now;
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>The PR's state row, tracked for an update; added when the PR has none yet.</summary>
    private static async Task<PullRequestStateRecord> TrackedStateAsync(NectrDb db, string repository, int number, CancellationToken cancellationToken)
    {
        if (await db.PullRequestStates.SingleOrDefaultAsync(s => s.RepositoryFullName == repository && s.Number == number, cancellationToken) is { } state)
        {
            return state;
        }

        state = new PullRequestStateRecord { RepositoryFullName = repository, Number = number };
        db.PullRequestStates.Add(state);
        return state;
    }

    /// <summary>
    /// Every finding of the PR after this run, for the sticky summary: <paramref name="fresh"/> (this run's new and
    /// reopened fingerprints) are New, other open ones StillOpen, the rest Resolved.
    /// </summary>
    public async Task<IReadOnlyList<TrackedFinding>> TrackedAsync(string repository, int number, IReadOnlySet<string> fresh, CancellationToken cancellationToken)
    {
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var rows = await db.PullRequestFindings.AsNoTracking()
            .Where(f => f.RepositoryFullName == repository && f.Number == number)
            .OrderBy(f => f.Id)
            .ToListAsync(cancellationToken);
        return [.. rows.Select(r => Tracked(r, r.State == TrackedFindingState.Resolved ? TrackedStatus.Resolved : fresh.Contains(r.Fingerprint) ? TrackedStatus.New : TrackedStatus.StillOpen))];
    }

    private static TrackedFinding Tracked(PullRequestFindingRecord row, TrackedStatus status) =>
        new(row.Fingerprint, Enum.TryParse<Severity>(row.Severity, ignoreCase: true, out var severity) ? severity : Severity.Medium,
            row.File, row.Line, row.Title, status, row.Inline);

    private static string Cap(string text, int max) => text.Length <= max ? text : text[..max];
}
