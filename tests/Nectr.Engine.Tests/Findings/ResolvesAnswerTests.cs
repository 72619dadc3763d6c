using Nectr.Engine.Findings;

namespace Nectr.Engine.Tests.Findings;

/// <summary>The optional <c>resolves</c> list of the answer contract, through both readers.</summary>
public sealed class ResolvesAnswerTests
{
    private const string Strict = """
        {"summary": "Adds retries.", "key_changes": [], "findings": [], "confidence": 4,
         "resolves": [{"number": 12, "confidence": 5, "reason": "Adds the retry the issue asks for."}, {"number": 14, "confidence": 2, "reason": "Partly."}]}
        """;

    private static ModelAnswer Answer(string text)
    {
        var result = AnswerParser.Parse(text);
        Assert.Null(result.Error);
        return Assert.IsType<ModelAnswer>(result.Answer);
    }

    [Fact]
    public void The_strict_reader_accepts_resolves()
    {
        Assert.Equal([new ModelResolution(12, 5, "Adds the retry the issue asks for."), new ModelResolution(14, 2, "Partly.")], Answer(Strict).Resolves);
    }

    [Fact]
    public void The_forgiving_reader_reads_the_same_resolves()
    {
        var lenient = AnswerParser.ParseLeniently(Strict).Answer;

        Assert.NotNull(lenient);
        Assert.Equal(Answer(Strict).Resolves, lenient.Resolves);
    }

    [Fact]
    public void Sloppy_resolves_are_read_like_the_rest_of_a_sloppy_answer()
    {
        const string Text = """
            Here you go:
            ```json
            {summary: 'ok', findings: [], 'resolved_issues': [{issue: '#7', confidence: '4', why: 'Fixes the\nnull check',},],}
            ```
            """;

        Assert.Equal([new ModelResolution(7, 4, "Fixes the null check")], Answer(Text).Resolves);
    }

    [Fact]
    public void An_answer_without_resolves_has_none()
    {
        Assert.Empty(Answer("""{"summary": "s", "findings": []}""").Resolves);
    }

    [Theory]
    [InlineData("""{"number": "twelve", "confidence": 5}""")]
    [InlineData("""{"number": 12.5, "confidence": 5}""")]
    [InlineData("""{"number": 0, "confidence": 5}""")]
    [InlineData("""{"number": -3, "confidence": 5}""")]
    [InlineData("""{"number": 1e30, "confidence": 5}""")]
    [InlineData("""{"number": "99999999999", "confidence": 5}""")]
    [InlineData("""{"number": true, "confidence": 5}""")]
    [InlineData("""{"confidence": 5, "reason": "no number"}""")]
    [InlineData("""{"number": 12, "confidence": 0}""")]
    [InlineData("""{"number": 12, "confidence": 6}""")]
    [InlineData("""{"number": 12, "confidence": 0.9}""")]
    [InlineData("""{"number": 12, "confidence": "high"}""")]
    [InlineData("""{"number": 12}""")]
    [InlineData("12")]
    [InlineData("\"#12\"")]
    public void Invalid_claims_are_dropped_and_the_answer_stands(string claim)
    {
        var answer = Answer($$"""{"summary": "s", "findings": [], "resolves": [{{claim}}, {"number": 3, "confidence": 4, "reason": "ok"}]}""");

        Assert.Equal([new ModelResolution(3, 4, "ok")], answer.Resolves);
    }

    [Fact]
    public void One_claim_per_issue_at_most_sixteen_and_reasons_are_bounded()
    {
        var claims = string.Join(", ", Enumerable.Range(1, 30).Select(i => $$"""{"number": {{i}}, "confidence": 4, "reason": "{{new string('r', 1_000)}}"}"""));
        var answer = Answer($$"""{"summary": "s", "findings": [], "resolves": [{"number": 1, "confidence": 5, "reason": "first"}, {{claims}}]}""");

        Assert.Equal(AnswerMapping.MaxResolves, answer.Resolves.Count);
        Assert.Equal(new ModelResolution(1, 5, "first"), answer.Resolves[0]);
        Assert.Equal(Enumerable.Range(1, 16), answer.Resolves.Select(r => r.Number));
        Assert.All(answer.Resolves.Skip(1), r => Assert.Equal(AnswerMapping.MaxReasonChars, r.Reason.Length));
    }

    [Fact]
    public void A_single_claim_object_is_read_as_a_list_of_one_and_a_missing_reason_is_empty()
    {
        Assert.Equal([new ModelResolution(5, 4, "")], Answer("""{"summary": "s", "findings": [], "resolves": {"number": "5", "confidence": 4}}""").Resolves);
    }

    [Fact]
    public void The_schema_offers_resolves_as_an_optional_field()
    {
        using var schema = System.Text.Json.JsonDocument.Parse(AnswerSchema.Json);
        var root = schema.RootElement;

        Assert.True(root.GetProperty("properties").TryGetProperty("resolves", out var resolves));
        Assert.DoesNotContain(root.GetProperty("required").EnumerateArray(), r => r.GetString() == "resolves");
        Assert.Equal(["number", "confidence", "reason"], resolves.GetProperty("items").GetProperty("required").EnumerateArray().Select(r => r.GetString()));
    }
}
