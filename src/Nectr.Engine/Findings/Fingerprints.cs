using System.Security.Cryptography;
using System.Text;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>
/// Stable identities for findings, so a later review of the same PR can tell which findings it already reported.
/// The fingerprint hashes the file, the rule, the normalised title and the trimmed text of the commented line, and
/// deliberately not the line number: code that moves down after an insertion above keeps its fingerprint.
/// </summary>
public static class Fingerprints
{
    public static string Of(Finding finding, FilePatch? patch)
    {
        ArgumentNullException.ThrowIfNull(finding);
        var lineText = patch is not null && PatchLines.Find(patch, finding.Line) is { } line ? patch.LineText(line).Trim() : "";
        var input = string.Join('\n', finding.File, finding.RuleId, NormalizeTitle(finding.Title), lineText);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)).AsSpan(0, 16));
    }

    /// <summary>Lower-case words, digits dropped (titles often quote line numbers or counts that change between pushes).</summary>
    internal static string NormalizeTitle(string title) => string.Join(' ', Words(title));

    internal static IEnumerable<string> Words(string text)
    {
        var word = new StringBuilder();
        foreach (var c in text)
        {
            if (char.IsLetter(c))
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (!char.IsDigit(c) && word.Length > 0)
            {
                yield return word.ToString();
                word.Clear();
            }
        }

        if (word.Length > 0)
        {
            yield return word.ToString();
        }
    }
}
