using Nectr.Engine.Review;

namespace Nectr.Reviews;

/// <summary>
/// A finding as Nectr reports it outside the engine: stored with the review by the worker, printed by
/// <c>nectr review --format json</c>. One mapping, so the two cannot disagree on how a severity is spelled or what
/// "inline" means.
/// </summary>
internal sealed record ReportedFinding(
    string RuleId,
    string File,
    int Line,
    int? EndLine,
    string Severity,
    string Category,
    string Title,
    string Body,
    string? Suggestion,
    bool Inline)
{
    public static IReadOnlyList<ReportedFinding> Of(ReviewResult result) =>
        result.Findings.Select(f => new ReportedFinding(
            f.RuleId, f.File, f.Line, f.EndLine, f.Severity.ToString().ToLowerInvariant(), f.Category, f.Title, f.Body, f.Suggestion, result.IsInline(f))).ToList();
}
