using System.Globalization;
using System.Text;

namespace Nectr.Engine.Memory;

/// <summary>
/// Whether two memories say the same thing, so a proposal that repeats an existing memory updates it instead of adding a
/// copy. Texts are normalised (Unicode compatibility forms, lower case, apostrophes dropped so "don't" is one word,
/// every other run of punctuation and whitespace a word break) and compared as sets of words: the Jaccard index, shared
/// words over all words. Word order, case, spacing and punctuation do not matter; a changed negation always does.
/// </summary>
public static class MemorySimilarity
{
    /// <summary>At or above this similarity two memories are one: e.g. 8 shared words of 10 distinct.</summary>
    public const double NearDuplicateThreshold = 0.8;

    /// <summary>
    /// Words that reverse a rule: "use tabs" and "never use tabs" share most words and mean the opposite, so memories
    /// that differ in these are never duplicates, however similar otherwise.
    /// </summary>
    private static readonly HashSet<string> Negations = new(StringComparer.Ordinal)
    {
        "no", "not", "never", "none", "nor", "without", "avoid", "dont", "doesnt", "didnt", "isnt", "arent", "wasnt", "werent",
        "shouldnt", "mustnt", "cant", "cannot", "wont", "wouldnt", "neednt",
    };

    /// <summary>The normalised text: its words, single-space separated, in order.</summary>
    public static string Normalize(string text) => string.Join(' ', Words(text));

    /// <summary>The Jaccard index of the two texts' word sets, 0 to 1; two texts without any word are equal (1).</summary>
    public static double Of(string first, string second)
    {
        var a = new HashSet<string>(Words(first), StringComparer.Ordinal);
        var b = new HashSet<string>(Words(second), StringComparer.Ordinal);
        if (a.Count == 0 && b.Count == 0)
        {
            return 1;
        }

        var shared = a.Count(b.Contains);
        return (double)shared / (a.Count + b.Count - shared);
    }

    /// <summary>At least <see cref="NearDuplicateThreshold"/> similar, and negated the same way.</summary>
    public static bool IsNearDuplicate(string first, string second)
    {
        if (Of(first, second) < NearDuplicateThreshold)
        {
            return false;
        }

        var negationsA = Words(first).Where(Negations.Contains).ToHashSet(StringComparer.Ordinal);
        var negationsB = Words(second).Where(Negations.Contains).ToHashSet(StringComparer.Ordinal);
        return negationsA.SetEquals(negationsB);
    }

    private static IEnumerable<string> Words(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c) || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark)
            {
                word.Append(char.ToLowerInvariant(c));
            }
            else if (c is '\'' or '\u2019' && word.Length > 0)
            {
                // Inside a word ("don't", "project's"): part of it, not a break.
            }
            else if (word.Length > 0)
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
