using Nectr.Engine.Context;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Context;

public sealed class CandidateIssuesTests
{
    private static readonly OpenIssue[] Corpus =
    [
        new(1, "Login fails with an expired OAuth token", "Users are sent back to the login page when the OAuth refresh token has expired."),
        new(2, "Dark mode for the dashboard", "The dashboard should follow the system colour scheme."),
        new(3, "Retry webhook delivery", "Webhook deliveries that fail are never retried."),
        new(4, "Token refresh race", "Two requests refreshing the token at once both write it."),
        new(5, "Docs: typo in README", "Small typo in the installation section."),
    ];

    private static ReviewRequest Request(string title, string? body = null, params string[] paths) =>
        new("octo", "app", 9, title, "abc", 1, [.. paths.Select(p => new PullRequestFile(p, "modified", 1, 0, "@@ -1 +1 @@\n-a\n+b", null))], paths.Length, ReviewSettings.Default)
        {
            Description = body,
            CommitMessages = ["Refresh expired tokens before redirecting"],
        };

    [Fact]
    public void Issues_are_ranked_by_overlap_with_the_pull_request_best_first()
    {
        var request = Request("Refresh expired OAuth tokens on login", "The login handler now refreshes the token.", "src/Auth/OAuthTokenRefresher.cs");

        var ranked = CandidateIssues.Rank(request, Corpus, []);

        Assert.Equal([1, 4], ranked.Select(c => c.Number));
        Assert.True(ranked[0].Score > ranked[1].Score);
        Assert.All(ranked, c => Assert.True(c.Score >= CandidateIssues.MinScore));
        Assert.Equal("Login fails with an expired OAuth token", ranked[0].Title);
    }

    [Fact]
    public void Changed_paths_alone_find_an_issue_through_their_identifier_words()
    {
        var ranked = CandidateIssues.Rank(Request("Update", null, "src/Webhooks/WebhookDeliveryRetry.cs") with { CommitMessages = [] }, Corpus, []);

        Assert.Equal(3, ranked[0].Number);
    }

    [Fact]
    public void Issues_the_pull_request_links_already_are_left_out()
    {
        var request = Request("Refresh expired OAuth tokens on login", "The login handler now refreshes the token.");

        var ranked = CandidateIssues.Rank(request, Corpus, [new IssueReference("OCTO", "App", 1), new IssueReference("other", "lib", 4)]);

        Assert.Equal([4], ranked.Select(c => c.Number));
    }

    [Fact]
    public void A_title_and_description_rank_like_the_request_and_excluded_numbers_are_left_out()
    {
        var ranked = CandidateIssues.Rank("Refresh expired OAuth tokens on login", "The login handler now refreshes the token.", Corpus, new HashSet<int>());
        var excluded = CandidateIssues.Rank("Refresh expired OAuth tokens on login", "The login handler now refreshes the token.", Corpus, new HashSet<int> { 1 });

        Assert.Equal([1, 4], ranked.Select(c => c.Number));
        Assert.Equal([4], excluded.Select(c => c.Number));
    }

    [Fact]
    public void A_search_returns_weak_matches_too_best_first_up_to_its_limit()
    {
        // "refresh" once in two of five issues scores under MinScore: too weak for a candidate, still a search result.
        Assert.Empty(CandidateIssues.Rank("refresh", null, Corpus, new HashSet<int>()));
        Assert.Equal([4, 1], Search("refresh", 10));

        Assert.Equal([4, 1], Search("token race", 10));
        Assert.Equal([4], Search("token race", 1));
        Assert.Empty(Search("token", 0));
        Assert.Empty(Search("", 10));
    }

    [Fact]
    public void An_empty_corpus_or_an_empty_query_gives_no_candidates()
    {
        Assert.Empty(CandidateIssues.Rank(Request("Refresh tokens"), [], []));
        Assert.Empty(CandidateIssues.Rank(Request("a b", "of the to") with { CommitMessages = [] }, Corpus, []));
    }

    [Fact]
    public void A_weak_overlap_scores_below_the_minimum_and_is_not_a_candidate()
    {
        var corpus = Enumerable.Range(1, 10).Select(i => new OpenIssue(i, $"Dashboard widget {i}", "Something about the dashboard.")).ToList();

        Assert.Empty(CandidateIssues.Rank(Request("Dashboard", null) with { CommitMessages = [] }, corpus, []));
    }

    [Fact]
    public void At_most_eight_are_returned_and_ties_go_to_the_lower_number()
    {
        var corpus = Enumerable.Range(1, 40).Select(i => new OpenIssue(41 - i, "Cache eviction", i <= 12 ? "Serializer throws" : "Unrelated words here")).ToList();

        var ranked = CandidateIssues.Rank(Request("Serializer throws on cache eviction") with { CommitMessages = [] }, corpus, []);

        Assert.Equal(Enumerable.Range(29, 8), ranked.Select(c => c.Number));
    }

    [Fact]
    public void Ranking_is_the_same_on_every_run()
    {
        var request = Request("Refresh expired OAuth tokens on login", "The login handler now refreshes the token.");

        Assert.Equal(CandidateIssues.Rank(request, Corpus, []), CandidateIssues.Rank(request, [.. Corpus], []));
    }

    [Theory]
    [InlineData("parseHTTPServerConfig", "parse http server config")]
    [InlineData("snake_case_name", "snake case name")]
    [InlineData("src/Auth/OAuthTokens.cs", "src auth auth token")] // OAuth reads as O + Auth, the same way on both sides
    [InlineData("utf8Decoder retries 404 pages", "utf decoder retry 404 page")]
    [InlineData("The status of this is an issue", "status")]
    [InlineData("ÜberCache", "über cache")]
    public void Identifiers_split_into_lower_case_words_without_stop_words(string text, string expected)
    {
        Assert.Equal(expected, string.Join(' ', SearchTokens.Of(text, 100)));
    }

    [Fact]
    public void Hostile_issue_text_is_ranked_without_exceptions()
    {
        var corpus = new[]
        {
            new OpenIssue(1, "", null),
            new OpenIssue(2, new string('a', 1_000_000), string.Concat(Enumerable.Repeat("token\0", 500_000))),
            new OpenIssue(3, "token refresh", "x"),
        };

        var ranked = CandidateIssues.Rank(Request("token refresh token") with { CommitMessages = [] }, corpus, []);

        Assert.Equal(3, ranked[0].Number);
    }

    /// <summary>The model's issue search as the host runs it: the tools' BM25 over each issue's title and body.</summary>
    private static IEnumerable<int> Search(string query, int limit) =>
        TextSearch.Rank(query, [.. Corpus.Select(i => i.Title + "\n" + i.Body)], limit).Select(i => Corpus[i].Number);
}
