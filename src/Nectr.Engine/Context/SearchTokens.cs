using System.Collections.Frozen;
using System.Text;

namespace Nectr.Engine.Context;

/// <summary>
/// Words for matching pull requests to issues. Identifiers are split where a reader sees words (camelCase,
/// HTTPServer, snake_case, kebab-case, paths, letters next to digits), lower-cased, plurals folded
/// (<c>retries</c> → <c>retry</c>, <c>tokens</c> → <c>token</c>); English stop words and tokens under three
/// characters carry no topic and are dropped.
/// </summary>
internal static class SearchTokens
{
    public const int MinLength = 3;

    /// <summary>A single "word" longer than this is a hash, base64 or minified code, not a topic.</summary>
    private const int MaxLength = 40;

    /// <summary>Characters read per text: GitHub caps issue and PR bodies at 65,536, so more is not a real text.</summary>
    private const int MaxChars = 100_000;

    private static readonly FrozenSet<string> StopWords = FrozenSet.Create(StringComparer.Ordinal,
        "about", "after", "again", "all", "also", "and", "any", "are", "because", "been", "before", "being", "both", "but",
        "can", "cannot", "could", "did", "does", "doing", "done", "each", "even", "for", "from", "get", "got", "had", "has",
        "have", "her", "here", "him", "his", "how", "into", "its", "just", "let", "like", "may", "might", "more", "most",
        "much", "must", "not", "now", "off", "once", "only", "other", "our", "out", "over", "own", "same", "she", "should",
        "since", "some", "still", "such", "than", "that", "the", "their", "them", "then", "there", "these", "they", "this",
        "those", "through", "too", "under", "until", "use", "used", "using", "very", "was", "way", "were", "what", "when",
        "where", "which", "while", "who", "whom", "why", "will", "with", "would", "yet", "you", "your",
        // Words every issue and pull request uses about itself.
        "close", "closed", "closes", "fix", "fixed", "fixes", "issue", "please", "pull", "request", "resolve",
        "resolved", "resolves", "thank", "thanks");

    /// <summary>Appends the tokens of <paramref name="text"/> to <paramref name="into"/> until it holds <paramref name="max"/>.</summary>
    public static void AddTo(string? text, List<string> into, int max)
    {
        if (string.IsNullOrEmpty(text))
        {
            return;
        }

        var length = Math.Min(text.Length, MaxChars);
        var start = -1;
        for (var i = 0; i <= length && into.Count < max; i++)
        {
            if (i < length && char.IsLetterOrDigit(text[i]))
            {
                if (start < 0)
                {
                    start = i;
                }
                else if (IsBoundary(text, i))
                {
                    Emit(text, start, i, into);
                    start = i;
                }

                continue;
            }

            if (start >= 0)
            {
                Emit(text, start, i, into);
                start = -1;
            }
        }
    }

    public static List<string> Of(string? text, int max)
    {
        var tokens = new List<string>();
        AddTo(text, tokens, max);
        return tokens;
    }

    /// <summary>A word starts at <paramref name="i"/>: aB, a1, 1a, or the B of ABc (HTTPServer → HTTP, Server).</summary>
    private static bool IsBoundary(string text, int i)
    {
        char previous = text[i - 1], current = text[i];
        return (char.IsLower(previous) && char.IsUpper(current))
            || (char.IsDigit(previous) != char.IsDigit(current))
            || (char.IsUpper(previous) && char.IsUpper(current) && i + 1 < text.Length && char.IsLower(text[i + 1]));
    }

    private static void Emit(string text, int start, int end, List<string> into)
    {
        var length = end - start;
        if (length < MinLength || length > MaxLength)
        {
            return;
        }

        var word = Fold(text.AsSpan(start, length).ToString().ToLowerInvariant());
        if (word.Length >= MinLength && !StopWords.Contains(word))
        {
            into.Add(word);
        }
    }

    /// <summary>Plural to singular, crudely but the same way on both sides of the match.</summary>
    private static string Fold(string word)
    {
        if (word.Length > 4 && word.EndsWith("ies", StringComparison.Ordinal))
        {
            return new StringBuilder(word, 0, word.Length - 3, word.Length).Append('y').ToString();
        }

        return word.Length > 3 && word[^1] == 's' && word[^2] is not ('s' or 'u' or 'i') ? word[..^1] : word;
    }
}
