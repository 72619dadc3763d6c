using Nectr.Engine.Review;

namespace Nectr.Engine.Context;

/// <summary>An open issue of the repository, as the issue index holds it. Title and body are untrusted text.</summary>
public sealed record OpenIssue(int Number, string Title, string? Body);

/// <summary>An open issue whose words overlap the pull request's; <see cref="Score"/> is its BM25 score.</summary>
public sealed record IssueCandidate(int Number, string Title, double Score);

/// <summary>
/// Open issues the pull request may resolve without saying so: Okapi BM25 (k1 = 1.2, b = 0.75) over each issue's
/// title and body, queried with the PR's title, description, commit messages and changed paths. The best
/// <see cref="MaxCandidates"/> at or above <see cref="MinScore"/> are returned, best first (ties by number). Pure
/// and deterministic; the model decides which of them the change really resolves.
/// </summary>
public static class CandidateIssues
{
    public const int MaxCandidates = 8;

    /// <summary>
    /// Below this an overlap is noise: one word shared with half the issues scores about 0.7, one word that only a
    /// few issues use scores 2 and more.
    /// </summary>
    public const double MinScore = 1.0;

    private const double K1 = 1.2;
    private const double B = 0.75;

    /// <summary>Words read per issue and for the query: enough for any real text, bounded for a hostile one.</summary>
    internal const int MaxTokens = 20_000;

    /// <summary>The index holds a bounded number of open issues; more than this is not a corpus to rank in a review.</summary>
    internal const int MaxIssues = 5_000;

    /// <summary>Candidates for <paramref name="request"/>, leaving out the issues it already links.</summary>
    public static IReadOnlyList<IssueCandidate> Rank(ReviewRequest request, IReadOnlyList<OpenIssue> openIssues, IEnumerable<IssueReference> linked)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(linked);
        var excluded = linked.Where(l => l.IsIn(request.Owner, request.Repo)).Select(l => l.Number).ToHashSet();
        return Rank([request.Title, request.Description, .. request.CommitMessages, .. request.Files.Select(f => f.Path)], openIssues, excluded);
    }

    /// <summary>
    /// Candidates for a pull request known by its title and description (the host's issue index ranks its stored open
    /// issues with this), leaving out the issue numbers in <paramref name="excluded"/>.
    /// </summary>
    public static IReadOnlyList<IssueCandidate> Rank(string? title, string? description, IReadOnlyList<OpenIssue> openIssues, IReadOnlySet<int> excluded) =>
        Rank([title, description], openIssues, excluded);

    /// <summary>
    /// Issues matching free text (the model's issue search): the same BM25 over <paramref name="issues"/>, open or
    /// closed, with no <see cref="MinScore"/> floor (a search asks for the best matches, however weak), the best
    /// <paramref name="limit"/> first.
    /// </summary>
    public static IReadOnlyList<IssueCandidate> Search(string? query, IReadOnlyList<OpenIssue> issues, int limit) =>
        Rank([query], issues, new HashSet<int>(), Math.Max(0, limit), double.Epsilon);

    internal static IReadOnlyList<IssueCandidate> Rank(IEnumerable<string?> query, IReadOnlyList<OpenIssue> openIssues, IReadOnlySet<int> excluded,
        int max = MaxCandidates, double minScore = MinScore)
    {
        ArgumentNullException.ThrowIfNull(openIssues);
        var terms = new List<string>();
        foreach (var text in query)
        {
            SearchTokens.AddTo(text, terms, MaxTokens);
        }

        var queryTerms = terms.ToHashSet(StringComparer.Ordinal);
        var issues = openIssues.Take(MaxIssues).ToList();
        if (queryTerms.Count == 0 || issues.Count == 0)
        {
            return [];
        }

        var documents = issues.Select(Document).ToList();
        var frequency = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var document in documents)
        {
            foreach (var term in document.Counts.Keys.Where(queryTerms.Contains))
            {
                frequency[term] = frequency.GetValueOrDefault(term) + 1;
            }
        }

        var averageLength = Math.Max(1.0, documents.Average(d => (double)d.Length));
        var scored = new List<IssueCandidate>();
        for (var i = 0; i < issues.Count; i++)
        {
            if (excluded.Contains(issues[i].Number))
            {
                continue;
            }

            var score = Score(documents[i], frequency, documents.Count, averageLength);
            if (score >= minScore)
            {
                scored.Add(new IssueCandidate(issues[i].Number, issues[i].Title, score));
            }
        }

        return scored.OrderByDescending(c => c.Score).ThenBy(c => c.Number).Take(max).ToList();
    }

    private static double Score(IssueDocument document, Dictionary<string, int> frequency, int count, double averageLength)
    {
        var norm = K1 * (1 - B + (B * document.Length / averageLength));
        var score = 0.0;
        // In the document's own word order, so the sum (and its rounding) is the same on every run.
        foreach (var (term, tf) in document.Counts)
        {
            if (frequency.TryGetValue(term, out var df))
            {
                // BM25's idf with +1 inside the log (as Lucene): never negative for words most issues share.
                var idf = Math.Log(1 + ((count - df + 0.5) / (df + 0.5)));
                score += idf * (tf * (K1 + 1) / (tf + norm));
            }
        }

        return score;
    }

    private static IssueDocument Document(OpenIssue issue)
    {
        var tokens = SearchTokens.Of(issue.Title, MaxTokens);
        SearchTokens.AddTo(issue.Body, tokens, MaxTokens);
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in tokens)
        {
            counts[token] = counts.GetValueOrDefault(token) + 1;
        }

        return new IssueDocument(counts, tokens.Count);
    }

    private sealed record IssueDocument(Dictionary<string, int> Counts, int Length);
}
