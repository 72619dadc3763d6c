using Nectr.Engine.Context;

namespace Nectr.Engine.Tests.Context;

public sealed class TextSearchTests
{
    [Fact]
    public void Documents_sharing_a_query_word_are_ranked_best_first_even_in_a_tiny_corpus()
    {
        string[] documents = ["Dark mode for the dashboard", "Retries of webhook deliveries double count", "Webhook retries: back off longer between retries"];

        Assert.Equal([2, 1], TextSearch.Rank("webhook retry", documents, 8));
        Assert.Equal([0], TextSearch.Rank("dashboards", ["Dashboard colours"], 8)); // one document, one plural-folded word
    }

    [Fact]
    public void A_query_without_searchable_words_or_a_zero_limit_finds_nothing()
    {
        Assert.False(TextSearch.HasTerms("the and of"));
        Assert.True(TextSearch.HasTerms("rounding"));
        Assert.Empty(TextSearch.Rank("the and of", ["the and of"], 8));
        Assert.Empty(TextSearch.Rank("rounding", ["rounding"], 0));
        Assert.Equal([1], TextSearch.Rank("rounding totals", ["rounding", "totals", "rounding again"], 1)); // the rarer word weighs more
    }
}
