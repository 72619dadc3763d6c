using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Living;

/// <summary>
/// One row of a pull request's findings ledger as the plan needs it. <see cref="Inline"/>: an inline comment was
/// posted for it (or its POST was attempted); <see cref="HasComment"/>: GitHub's id of that comment is known;
/// <see cref="ThreadResolved"/>: its review thread is resolved (by Nectr or anyone).
/// </summary>
public sealed record LedgerEntry(string Fingerprint, string File, bool Open, bool Inline, bool HasComment, bool ThreadResolved, string LastSeenSha);

public enum LedgerAction
{
    /// <summary>Not in the ledger before (or planned by an attempt at this head whose POST never landed).</summary>
    New,

    /// <summary>Open in the ledger and found again: not posted again.</summary>
    StillOpen,

    /// <summary>Resolved earlier and found again.</summary>
    Reopened,
}

/// <summary>A finding of this run and what the ledger makes of it; <see cref="PostInline"/> says whether this run posts its inline comment.</summary>
public sealed record PlannedFinding(Finding Finding, LedgerAction Action, bool Anchored, bool PostInline);

/// <summary>What one run does to the ledger: the findings it found (one per fingerprint) and the fingerprints it resolves.</summary>
public sealed record LedgerPlan(IReadOnlyList<PlannedFinding> Found, IReadOnlyList<string> Resolve)
{
    public IReadOnlyList<PlannedFinding> Posted => [.. Found.Where(f => f.PostInline)];

    /// <summary>Findings this run reports for the first time (new or reopened).</summary>
    public IReadOnlyList<PlannedFinding> Fresh => [.. Found.Where(f => f.Action != LedgerAction.StillOpen)];
}

/// <summary>
/// The ledger's decisions, pure: a fingerprint is posted inline at most once while its comment is live. A finding
/// found again is "still open" and not posted; an open finding on a file this run reviewed that was not found again
/// is resolved; findings on files outside an incremental range are left as they are.
/// </summary>
public static class LedgerPlanner
{
    public static LedgerPlan Decide(IReadOnlyList<LedgerEntry> known, ReviewResult result, ReviewRange range, string headSha)
    {
        ArgumentNullException.ThrowIfNull(known);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(range);
        var byFingerprint = known.ToDictionary(k => k.Fingerprint, StringComparer.Ordinal);
        var found = new List<PlannedFinding>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var finding in result.Findings)
        {
            var stamped = finding.Fingerprint.Length > 0 ? finding : finding with { Fingerprint = Fingerprints.Of(finding, null) };
            // Two findings with one fingerprint (the same conflict marker twice in a file) are one tracked finding:
            // posting both would be the same comment twice.
            if (!seen.Add(stamped.Fingerprint))
            {
                continue;
            }

            var anchored = result.IsInline(finding);
            found.Add(byFingerprint.TryGetValue(stamped.Fingerprint, out var entry)
                ? Known(stamped, anchored, entry, headSha)
                : new PlannedFinding(stamped, LedgerAction.New, anchored, anchored));
        }

        var resolve = known
            .Where(k => k.Open && !seen.Contains(k.Fingerprint) && range.Covers(k.File))
            .Select(k => k.Fingerprint)
            .ToList();
        return new LedgerPlan(found, resolve);
    }

    private static PlannedFinding Known(Finding finding, bool anchored, LedgerEntry entry, string headSha)
    {
        if (!entry.Open)
        {
            // Back after it was resolved. Its old comment sits on an outdated, usually resolved thread nobody sees:
            // post it again then. If the old thread is still open (resolving it failed), that comment still speaks.
            return new PlannedFinding(finding, LedgerAction.Reopened, anchored, anchored && (!entry.HasComment || entry.ThreadResolved));
        }

        // Planned inline by an earlier attempt at this very head whose review never reached GitHub (the runner looks
        // for its marker first): that comment does not exist, so it is still to be posted.
        if (entry.Inline && !entry.HasComment && entry.LastSeenSha == headSha)
        {
            return new PlannedFinding(finding, LedgerAction.New, anchored, anchored);
        }

        // Still open. Posted inline only if it never was (it was over the inline cap, or off the diff, before).
        return new PlannedFinding(finding, LedgerAction.StillOpen, anchored, anchored && !entry.Inline);
    }
}
