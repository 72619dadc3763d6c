using Nectr.Engine.Review;

namespace Nectr.Engine.Living;

/// <summary>Where a tracked finding stands after this run, as the findings ledger sees it.</summary>
public enum TrackedStatus { New, StillOpen, Resolved }

/// <summary>How much of the pull request this run reviewed, said in the summary so nobody wonders.</summary>
public enum ReviewScope { Full, Incremental, FullAfterRewrite, FullRequested }

/// <summary>One finding as the sticky summary lists it. <paramref name="Inline"/> says whether it was posted as an inline comment.</summary>
public sealed record TrackedFinding(string Fingerprint, Severity Severity, string File, int Line, string Title, TrackedStatus Status, bool Inline);

/// <summary>Everything the sticky summary renders for one run. <paramref name="FromSha"/> is the base of an incremental review.</summary>
public sealed record SummaryInput(ReviewRequest Request, ReviewResult Result, ReviewScope Scope, string? FromSha, IReadOnlyList<TrackedFinding> Findings, IReadOnlyList<string> Notices);
