using System.Text.RegularExpressions;

namespace Nectr.Engine.Checks.Secrets;

internal enum AllowTarget { Secret, Match, Line }

/// <summary>A gitleaks allowlist: a finding it matches is not reported.</summary>
internal sealed class Allowlist
{
    public required IReadOnlyList<Lazy<Regex?>> Regexes { get; init; }
    public required AllowTarget Target { get; init; }
    public required IReadOnlyList<string> StopWords { get; init; }
    public required IReadOnlyList<Lazy<Regex?>> Paths { get; init; }
    public bool RequireAll { get; init; }

    /// <remarks>
    /// <paramref name="stopWordsAllow"/> is false for redaction: a stop word (the generic rule lists 1,400 English
    /// words, "dead", "feed", "cafe" among them) is a reason not to report a finding, not proof that a value is no
    /// secret. About one random 32-character key in a hundred contains one, and it must still be redacted.
    /// </remarks>
    public bool Allows(string path, string line, string match, string secret, bool stopWordsAllow = true)
    {
        var target = Target switch { AllowTarget.Line => line, AllowTarget.Match => match, _ => secret };
        var checks = new List<bool>(3);
        if (Regexes.Count > 0)
        {
            checks.Add(Regexes.Any(r => r.Value is { } regex && SafeIsMatch(regex, target)));
        }

        if (StopWords.Count > 0)
        {
            checks.Add(stopWordsAllow && StopWords.Any(w => secret.Contains(w, StringComparison.OrdinalIgnoreCase)));
        }

        if (Paths.Count > 0)
        {
            checks.Add(Paths.Any(r => r.Value is { } regex && SafeIsMatch(regex, path)));
        }

        return checks.Count > 0 && (RequireAll ? checks.All(c => c) : checks.Any(c => c));
    }

    internal static bool SafeIsMatch(Regex regex, string input)
    {
        try
        {
            return regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            return false;
        }
    }
}

/// <summary>One gitleaks rule. Its regex is compiled on first use: most rules never pass the keyword filter.</summary>
internal sealed class SecretRule
{
    public required string Id { get; init; }
    public required string Description { get; init; }
    public required Lazy<Regex?> Regex { get; init; }
    public required string Pattern { get; init; }
    public Lazy<Regex?>? Path { get; init; }
    public double? Entropy { get; init; }
    public int SecretGroup { get; init; }
    public required IReadOnlyList<string> Keywords { get; init; }
    public required IReadOnlyList<Allowlist> Allowlists { get; init; }

    /// <summary>How far a match reaches from a keyword, so the regex runs on windows; null: it runs on the whole text.</summary>
    public required Lazy<KeywordReach?> Reach { get; init; }

    /// <summary>A keyword-first search equivalent to scanning the rule's regex, for rules led by a lazy <c>[\w.-]{0,50}?</c>; null for other shapes.</summary>
    public required Lazy<LeadingRun?> LeadingRun { get; init; }
}
