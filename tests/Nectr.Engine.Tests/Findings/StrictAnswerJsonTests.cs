using Nectr.Engine.Findings;

namespace Nectr.Engine.Tests.Findings;

/// <summary>
/// The strict fast path reads a bare, valid JSON answer and gives exactly what the forgiving reader gives; whatever
/// it cannot read strictly goes to the forgiving reader unchanged.
/// </summary>
public sealed class StrictAnswerJsonTests
{
    public static TheoryData<string> Corpus => new(Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "Findings", "Answers"), "*.txt")
        .Select(Path.GetFileName).Order(StringComparer.Ordinal)!);

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Every_corpus_answer_parses_the_same_with_and_without_the_fast_path(string name)
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Findings", "Answers", name));

        var parsed = AnswerParser.Parse(text);
        var lenient = AnswerParser.ParseLeniently(text);

        Assert.Equal(Describe(lenient), Describe(parsed));
    }

    [Fact]
    public void A_bare_valid_answer_takes_the_fast_path_and_means_what_the_forgiving_reader_says()
    {
        const string answer = """
            {"summary": "Adds retries.", "key_changes": ["retry loop"], "confidence": 4, "endLine": 1, "end_line": 2,
             "findings": [{"file": "src/a.cs", "line": 12, "end_line": 14, "severity": "high", "category": "correctness",
                           "title": "Unbounded retry", "body": "Add a cap.", "suggestion": "for (var i = 0; i < 3; i++)\n{\n}"},
                          {"file": "src/b.cs", "line": "7", "severity": "blocker", "title": "t", "body": "\u00e9\ud83d\ude00"}]}
            """;

        var strict = StrictAnswerJson.TryRead(answer);

        Assert.NotNull(strict);
        Assert.Equal(2.0, strict["endline"]); // keys normalised, the last repeated one wins, numbers are doubles
        Assert.Equal(Describe(AnswerParser.ParseLeniently(answer)), Describe(AnswerParser.Parse(answer)));
    }

    [Theory]
    [InlineData("```json\n{\"summary\": \"s\", \"findings\": []}\n```")]
    [InlineData("{\"summary\": \"s\", \"findings\": [],}")]
    [InlineData("{\"summary\": \"s\", /* note */ \"findings\": []}")]
    [InlineData("{\"summary\": \"s\", \"findings\": [], \"confidence\": 1e999}")]
    [InlineData("{\"summary\": \"\\ud800\", \"findings\": []}")]
    [InlineData("[{\"summary\": \"s\", \"findings\": []}]")]
    public void What_is_not_strict_json_is_left_to_the_forgiving_reader(string answer)
    {
        Assert.Null(StrictAnswerJson.TryRead(answer));
        Assert.Equal(Describe(AnswerParser.ParseLeniently(answer)), Describe(AnswerParser.Parse(answer)));
    }

    private static string Describe(AnswerParseResult result) =>
        $"{(result.Answer is { } answer ? AnswerJson.Write(answer) : "-")} | {result.Error} | {result.DroppedFindings}";
}
