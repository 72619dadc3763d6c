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

        var scores = TextSearch.Bm25(queryTerms, [.. issues.Select(Words)]);
        var scored = new List<IssueCandidate>();
        for (var i = 0; i < issues.Count; i++)
        {
            if (!excluded.Contains(issues[i].Number) && scores[i] >= minScore)
            {
                scored.Add(new IssueCandidate(issues[i].Number, issues[i].Title, scores[i]));
            }
        }

        return scored.OrderByDescending(c => c.Score).ThenBy(c => c.Number).Take(max).ToList();
    }

    private static List<string> Words(OpenIssue issue)
    {
        var tokens = SearchTokens.Of(issue.Title, MaxTokens);
        SearchTokens.AddTo(issue.Body, tokens, MaxTokens);
        return tokens;
    }
}
