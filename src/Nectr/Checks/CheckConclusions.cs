using System.Globalization;
using Nectr.Engine.Review;

namespace Nectr.Checks;

/// <summary>What the Nectr check shows for a review: conclusion (check run), state (commit status), title and summary.</summary>
internal sealed record CheckOutcome(string Conclusion, string StatusState, string Title, string Summary);

/// <summary>
/// The check's conclusion comes from the verdict policy, never from the model's words (DESIGN §7), and never means
/// "approved": <c>neutral</c> for every review, including one with no findings (a green <c>success</c> would read as
/// the approval Nectr never gives); <c>failure</c> only when the repository opted in to blocking and the policy's
/// verdict is REQUEST_CHANGES, which is exactly when the posted review's event is REQUEST_CHANGES. A parked review is
/// <c>neutral</c> too: Nectr being unable to review must not block a merge, and the summary says why and offers Re-run.
/// A commit status has no neutral, so there the same outcomes are <c>success</c> (the review is done, whatever it
/// found), <c>failure</c> (blocking) and <c>error</c> (parked).
/// </summary>
internal static class CheckConclusions
{
    public const string Parked = "neutral";

    public static CheckOutcome Of(ReviewResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var blocking = string.Equals(result.Event, "REQUEST_CHANGES", StringComparison.Ordinal);
        var counts = result.Findings.GroupBy(f => f.Severity).OrderBy(g => g.Key)
            .Select(g => string.Create(CultureInfo.InvariantCulture, $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}")).ToList();
        var findings = result.Findings.Count switch
        {
            0 => "No findings",
            1 => "1 finding",
            var n => string.Create(CultureInfo.InvariantCulture, $"{n} findings"),
        } + (counts.Count > 0 ? $" ({string.Join(", ", counts)})" : "");
        var verdict = result.Verdict switch
        {
            Verdict.RequestChanges => "Changes requested",
            Verdict.NeedsDiscussion => "Needs discussion",
            _ => "No blocking issues",
        };
        var title = $"{verdict}: {findings}" + (blocking ? " — blocking" : "");
        var summary = $"**{verdict}.** {result.VerdictReason}\n\n{findings}; {result.Comments.Count} posted as inline comments in the review. "
            + $"Reviewed {result.Coverage.ReviewedFiles} of {result.Coverage.ChangedFiles} changed file(s)."
            + (blocking ? "\n\nThis repository opted in to blocking reviews, so this check fails until the blocking findings are fixed." : "");
        return new CheckOutcome(blocking ? "failure" : "neutral", blocking ? "failure" : "success", title, summary);
    }

    /// <summary>Critical and high findings are failures on the line, medium a warning, the rest notices.</summary>
    public static string AnnotationLevel(Severity severity) => severity switch
    {
        Severity.Critical or Severity.High => "failure",
        Severity.Medium => "warning",
        _ => "notice",
    };
}
