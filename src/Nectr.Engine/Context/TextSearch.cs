namespace Nectr.Engine.Context;

/// <summary>
/// A search the model asks for (a tool): Okapi BM25 (k1 = 1.2, b = 0.75) of documents against a
/// short query, with the same words as <see cref="CandidateIssues"/> (<see cref="SearchTokens"/>). Unlike candidate
/// ranking there is no noise floor: the model asked for these words, so any document that holds one of them is a hit
/// (in a small corpus one shared word scores below <see cref="CandidateIssues.MinScore"/>). Pure and deterministic.
/// </summary>
public static class TextSearch
{
    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>Words read from the query: a query is a few words, not a document.</summary>
    public const int MaxQueryTokens = 64;

    /// <summary>Words read per document, and how many documents are ranked at most.</summary>
    private const int MaxDocumentTokens = 20_000;
    private const int MaxDocuments = 5_000;

    /// <summary>True when <paramref name="query"/> holds a searchable word (three letters or more, not a stop word).</summary>
    public static bool HasTerms(string? query) => SearchTokens.Of(query, 1).Count > 0;

    /// <summary>The indexes of the best <paramref name="max"/> documents that share a word with the query, best first (ties by index).</summary>
    public static IReadOnlyList<int> Rank(string query, IReadOnlyList<string> documents, int max)
    {
        ArgumentNullException.ThrowIfNull(documents);
        if (max <= 0)
        {
            return [];
        }

        var terms = SearchTokens.Of(query, MaxQueryTokens).ToHashSet(StringComparer.Ordinal);
        var scores = Bm25(terms, [.. documents.Take(MaxDocuments).Select(d => SearchTokens.Of(d, MaxDocumentTokens))]);
        return [.. scores.Select((score, index) => (Score: score, Index: index)).Where(s => s.Score > 0)
            .OrderByDescending(s => s.Score).ThenBy(s => s.Index).Take(max).Select(s => s.Index)];
    }

    /// <summary>
    /// The BM25 score of each document (its words, already bounded) for <paramref name="terms"/>: the one scorer of
    /// the model's searches and of candidate issues. The idf has +1 inside the log (as Lucene), so a word most
    /// documents share never scores negative; each sum runs in the document's own word order, so it is the same on
    /// every run.
    /// </summary>
    internal static double[] Bm25(IReadOnlySet<string> terms, IReadOnlyList<IReadOnlyList<string>> documents)
    {
        var corpus = documents.Select(Counts).ToList();
        var scores = new double[corpus.Count];
        if (terms.Count == 0 || corpus.Count == 0)
        {
            return scores;
        }

        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var term in corpus.SelectMany(d => d.Counts.Keys).Where(terms.Contains))
        {
            frequency[term] = frequency.GetValueOrDefault(term) + 1;
        }

        var averageLength = Math.Max(1.0, corpus.Average(d => (double)d.Length));
        for (var i = 0; i < corpus.Count; i++)
        {
            var (counts, length) = corpus[i];
            var norm = K1 * (1 - B + (B * length / averageLength));
            foreach (var (term, tf) in counts)
            {
                if (frequency.TryGetValue(term, out var df))
                {
                    scores[i] += Math.Log(1 + ((corpus.Count - df + 0.5) / (df + 0.5))) * (tf * (K1 + 1) / (tf + norm));
                }
            }
        }

        return scores;
    }

    private static (Dictionary<string, int> Counts, int Length) Counts(IReadOnlyList<string> tokens)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            counts[token] = counts.GetValueOrDefault(token) + 1;
        }

        return (counts, tokens.Count);
    }
}
