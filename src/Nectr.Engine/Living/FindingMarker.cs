using System.Text.RegularExpressions;

namespace Nectr.Engine.Living;

/// <summary>
/// The hidden marker at the end of every inline comment Nectr posts: the finding's fingerprint. It lets Nectr tell,
/// from what GitHub holds, which findings a review carried (to record each comment's id, and after an uncertain POST).
/// Only the marker that ends the body counts: model text inside a code block cannot pose as one further up.
/// </summary>
public static partial class FindingMarker
{
    public static string For(string fingerprint)
    {
        ArgumentException.ThrowIfNullOrEmpty(fingerprint);
        return $"<!-- nectr:finding {fingerprint} -->";
    }

    /// <summary><paramref name="body"/> with the marker appended on its own line.</summary>
    public static string Append(string body, string fingerprint) => body.TrimEnd() + "\n\n" + For(fingerprint);

    /// <summary>The fingerprint in the marker that ends <paramref name="body"/>, or null.</summary>
    public static string? Read(string? body) =>
        body is not null && Trailing().Match(body) is { Success: true } match ? match.Groups["fp"].Value : null;

    [GeneratedRegex(@"<!-- nectr:finding (?<fp>[0-9a-f]{8,64}) -->\s*\z", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Trailing();
}
