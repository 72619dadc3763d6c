namespace Nectr.Engine.Review;

public enum Severity { Critical, High, Medium, Low, Nit }

/// <summary>A file of the pull request as GitHub lists it. <see cref="Status"/> is GitHub's word: added, removed, modified, renamed, copied, changed, unchanged.</summary>
public sealed record PullRequestFile(string Path, string Status, int Additions, int Deletions, string? Patch, string? PreviousPath);

/// <summary>
/// Per-review settings, resolved once and passed down; the engine has no global settings.
/// <paramref name="InlineThreshold"/>: findings less severe than this are listed in the body, not posted inline.
/// <paramref name="BlockingReviews"/>: the repository opted in to a REQUEST_CHANGES event; never an APPROVE event.
/// </summary>
public sealed record ReviewSettings(int MaxInlineComments = 50, Severity InlineThreshold = Severity.Nit, bool BlockingReviews = false)
{
    public static ReviewSettings Default { get; } = new();
}

/// <summary>
/// What to review. <see cref="ChangedFiles"/> is the PR's own count, which can exceed <see cref="Files"/>:
/// GitHub lists at most 3,000 files, and the coverage note says so.
/// </summary>
public sealed record ReviewRequest(
    string Owner,
    string Repo,
    int Number,
    string Title,
    string HeadSha,
    long JobId,
    IReadOnlyList<PullRequestFile> Files,
    int ChangedFiles,
    ReviewSettings Settings)
{
    /// <summary>The PR description as its author wrote it: untrusted text.</summary>
    public string? Description { get; init; }

    /// <summary>Commit messages of the PR, oldest first: untrusted text.</summary>
    public IReadOnlyList<string> CommitMessages { get; init; } = [];
}

/// <summary>One problem, on new-file lines <see cref="Line"/>..<see cref="EndLine"/> of <see cref="File"/>.</summary>
public sealed record Finding(
    string RuleId,
    string File,
    int Line,
    int? EndLine,
    Severity Severity,
    string Category,
    string Title,
    string Body,
    string? Suggestion)
{
    /// <summary>
    /// Identifies the same issue across pushes (see <see cref="Findings.Fingerprints"/>): it does not change when the
    /// code moves to other line numbers, so incremental reviews can tell new findings from ones already reported.
    /// </summary>
    public string Fingerprint { get; init; } = "";
}

/// <summary>An inline comment on the RIGHT side; <see cref="StartLine"/> is set only for multi-line comments.</summary>
public sealed record InlineComment(string Path, int Line, int? StartLine, string Body);

public sealed record SkippedFile(string Path, string Reason);

/// <summary>What the review covered: never a silent partial review.</summary>
public sealed record Coverage(int ChangedFiles, int ReviewedFiles, IReadOnlyList<SkippedFile> Skipped)
{
    /// <summary>Files GitHub did not list at all (beyond its 3,000-file limit).</summary>
    public int Unlisted => Math.Max(0, ChangedFiles - ReviewedFiles - Skipped.Count);

    /// <summary>Reviewed files the model saw in full; null when no model reviewed.</summary>
    public int? ModelReviewedFiles { get; init; }

    /// <summary>Reviewed files the model did not see, or saw clipped, and why (token budget, sensitive, unreadable answer).</summary>
    public IReadOnlyList<SkippedFile> NotSentToModel { get; init; } = [];

    /// <summary>Context the review went without (linked issues, history, memory, tools), and why.</summary>
    public IReadOnlyList<Context.ContextGap> ContextGaps { get; init; } = [];
}

public sealed record ReviewResult(
    string Body,
    IReadOnlyList<InlineComment> Comments,
    IReadOnlyList<Finding> Findings,
    IReadOnlyList<Finding> Unanchored,
    Coverage Coverage)
{
    /// <summary>Computed by the verdict policy from structured findings; shown in the body.</summary>
    public Verdict Verdict { get; init; } = Verdict.Approve;

    public string VerdictReason { get; init; } = "";

    /// <summary>The GitHub review event: COMMENT, or REQUEST_CHANGES when the repository opted in. Never APPROVE.</summary>
    public string Event { get; init; } = "COMMENT";

    /// <summary>The body to post when GitHub refuses the inline comments: every finding written out, same limits.</summary>
    public string BodyWithoutInline { get; init; } = "";

    /// <summary>The model that reviewed, or null for a built-in-only review.</summary>
    public string? Model { get; init; }

    public LlmUsage Usage { get; init; } = LlmUsage.None;

    /// <summary>The model's summary of the PR, already through <see cref="OutputHygiene"/>; null when no model answered.</summary>
    public string? Overview { get; init; }

    /// <summary>
    /// Whether the finding is posted as an inline comment. Asked of the finding, not matched on (file, line): a
    /// multi-line comment sits on its END line, so a (file, start line) match would miss it.
    /// </summary>
    public bool IsInline(Finding finding) => !Unanchored.Contains(finding);
}
