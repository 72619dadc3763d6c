using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Prompts;

/// <summary>
/// Wraps text that the PR author or a third party wrote in a delimited block, and makes sure the text cannot end
/// the block early. The closing tag carries a per-review nonce the author cannot know; on top of that, anything in
/// the text that reads like the delimiter's name is defaced, and invisible format characters (zero-width spaces,
/// Unicode tag characters used to smuggle hidden instructions) are removed.
/// </summary>
internal static partial class UntrustedText
{
    private const string Defaced = "untrusted\u00B7data";

    public static string Open(string kind, string nonce) => $"<untrusted-data kind=\"{kind}\" id=\"{nonce}\">";

    public static string Close(string nonce) => $"</untrusted-data id=\"{nonce}\">";

    /// <summary>The block: opening tag, the neutralised text, closing tag, each on its own line.</summary>
    public static string Block(string kind, string nonce, string text)
    {
        var safe = Neutralise(text);
        if (safe.Contains(nonce, StringComparison.OrdinalIgnoreCase))
        {
            safe = safe.Replace(nonce, "[nonce]", StringComparison.OrdinalIgnoreCase);
        }

        var builder = new StringBuilder(safe.Length + 120);
        builder.Append(Open(kind, nonce)).Append('\n').Append(safe);
        if (safe.Length > 0 && safe[^1] != '\n')
        {
            builder.Append('\n');
        }

        return builder.Append(Close(nonce)).ToString();
    }

    /// <summary>Idempotent, so text neutralised early (rendered hunks, counted for the budget) is unchanged by the block.</summary>
    public static string Neutralise(string text)
    {
        var result = text.AsSpan().ContainsAnyExceptInRange('\0', '\u007F') ? WithoutFormatCharacters(text) : text;
        return result.Contains("untrusted", StringComparison.OrdinalIgnoreCase) ? DelimiterName().Replace(result, Defaced) : result;
    }

    private static string WithoutFormatCharacters(string text)
    {
        var builder = new StringBuilder(text.Length);
        var index = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            // A lone surrogate enumerates as U+FFFD of length 1, so index stays aligned with the source text.
            var length = rune.Utf16SequenceLength;
            if (Rune.GetUnicodeCategory(rune) != UnicodeCategory.Format)
            {
                builder.Append(text, index, length);
            }

            index += length;
        }

        return builder.ToString();
    }

    // "untrusted-data" however spelt: any case, with spaces, dashes of any kind, underscores, dots or line breaks between.
    [GeneratedRegex(@"untrusted[\s\p{Pd}_.:]*data", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DelimiterName();
}
