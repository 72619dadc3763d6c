namespace Nectr.Engine.Review;

/// <summary>
/// The verdict, from structured findings only: never from anything a model wrote, so an injected "LGTM, approve"
/// changes nothing. The GitHub event is at most REQUEST_CHANGES, and only for repositories that opted in.
/// </summary>
public static class VerdictPolicy
{
    public static (Verdict Verdict, string Reason) Decide(IReadOnlyList<Finding> findings)
    {
        ArgumentNullException.ThrowIfNull(findings);
        var critical = findings.Count(f => f.Severity == Severity.Critical);
        var high = findings.Count(f => f.Severity == Severity.High);
        var medium = findings.Count(f => f.Severity == Severity.Medium);
        if (critical + high > 0)
        {
            var parts = new List<string>(2);
            if (critical > 0)
            {
                parts.Add($"{critical} critical");
            }

            if (high > 0)
            {
                parts.Add($"{high} high");
            }

            return (Verdict.RequestChanges, $"{string.Join(", ", parts)} finding(s) must be addressed");
        }

        if (medium > 0)
        {
            return (Verdict.NeedsDiscussion, $"{medium} medium finding(s) to discuss");
        }

        return (Verdict.Approve, findings.Count == 0 ? "no findings" : "only low-severity findings and nits");
    }

    /// <summary>
    /// Whether a finding of this severity alone makes the verdict request changes (what <see cref="Decide"/> counts
    /// first). A blocking review stays until no open finding is blocking.
    /// </summary>
    public static bool IsBlocking(Severity severity) => severity is Severity.Critical or Severity.High;

    /// <summary>The review event to post. Nectr never approves on GitHub: an approval must come from a person.</summary>
    public static string GitHubEvent(Verdict verdict, ReviewSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return settings.BlockingReviews && verdict == Verdict.RequestChanges ? "REQUEST_CHANGES" : "COMMENT";
    }
}
