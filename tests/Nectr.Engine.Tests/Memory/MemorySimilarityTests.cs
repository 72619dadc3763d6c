using Nectr.Engine.Memory;

namespace Nectr.Engine.Tests.Memory;

public sealed class MemorySimilarityTests
{
    [Fact]
    public void Case_spacing_and_punctuation_do_not_matter()
    {
        Assert.Equal("use file scoped namespaces in every c file", MemorySimilarity.Normalize("  Use  file-scoped\tnamespaces,\nin EVERY C# file!  "));
        Assert.Equal(1.0, MemorySimilarity.Of("Use file-scoped namespaces.", "use   FILE scoped namespaces"));
    }

    [Fact]
    public void Apostrophes_stay_inside_words_and_compatibility_forms_are_folded()
    {
        Assert.Equal("dont log tokens", MemorySimilarity.Normalize("Don\u2019t log tokens"));
        Assert.Equal("dont log tokens", MemorySimilarity.Normalize("Don't log tokens"));
        Assert.Equal("ﬁle".Normalize(System.Text.NormalizationForm.FormKC), MemorySimilarity.Normalize("ﬁle"));
    }

    [Fact]
    public void Similarity_is_the_share_of_distinct_words_both_texts_have()
    {
        Assert.Equal(0.5, MemorySimilarity.Of("alpha beta gamma", "beta gamma delta"));
        Assert.Equal(0.0, MemorySimilarity.Of("alpha", "beta"));
        Assert.Equal(1.0, MemorySimilarity.Of("beta alpha alpha", "alpha beta"));
        Assert.Equal(1.0, MemorySimilarity.Of("!!!", "..."));
        Assert.Equal(0.0, MemorySimilarity.Of("!!!", "word"));
    }

    [Fact]
    public void A_rephrasing_that_keeps_most_words_is_a_near_duplicate()
    {
        Assert.True(MemorySimilarity.IsNearDuplicate(
            "All public handlers take a CancellationToken as their last parameter.",
            "all public handlers take a CancellationToken as the last parameter"));
        Assert.True(MemorySimilarity.IsNearDuplicate(
            "Repositories use EF Core migrations for both SQLite and PostgreSQL providers",
            "Repositories use EF Core migrations for both the SQLite and PostgreSQL providers"));
    }

    [Fact]
    public void Different_rules_are_not_near_duplicates()
    {
        Assert.False(MemorySimilarity.IsNearDuplicate("Use tabs for indentation", "Use spaces for indentation"));
        Assert.False(MemorySimilarity.IsNearDuplicate("Prefer records for DTOs", "Log with source-generated LoggerMessage methods"));
    }

    [Fact]
    public void A_reversed_rule_is_never_a_near_duplicate_however_many_words_it_shares()
    {
        const string rule = "Handlers in the API call the database through the read model and return typed results with problem details";
        Assert.True(MemorySimilarity.Of(rule, "Handlers in the API never call the database through the read model and return typed results with problem details") >= MemorySimilarity.NearDuplicateThreshold);

        Assert.False(MemorySimilarity.IsNearDuplicate(rule, "Handlers in the API never call the database through the read model and return typed results with problem details"));
        Assert.False(MemorySimilarity.IsNearDuplicate(rule, "Handlers in the API don't call the database through the read model and return typed results with problem details"));
        Assert.True(MemorySimilarity.IsNearDuplicate("Never commit secrets to the repository", "never commit secrets to the repository!"));
    }

    [Fact]
    public void Only_the_seven_documented_types_are_known()
    {
        Assert.Equal(7, MemoryTypes.All.Count);
        Assert.True(MemoryTypes.IsKnown("project_rule"));
        Assert.True(MemoryTypes.IsKnown("contributor_profile"));
        Assert.False(MemoryTypes.IsKnown("Project_Rule"));
        Assert.False(MemoryTypes.IsKnown("rule"));
        Assert.False(MemoryTypes.IsKnown(null));
    }
}
