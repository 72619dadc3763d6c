using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Findings;

public sealed class AnswerParserTests
{
    private const string Valid = """
        {"summary": "Adds retries.", "key_changes": ["retry loop"], "findings": [
          {"file": "src/A.cs", "line": 12, "end_line": 14, "severity": "high", "category": "correctness",
           "title": "Retry never stops", "body": "The loop has no upper bound.", "suggestion": "for (var i = 0; i < 3; i++)"}
        ], "confidence": 4}
        """;

    private static ModelAnswer Answer(string text)
    {
        var result = AnswerParser.Parse(text);
        Assert.Null(result.Error);
        return Assert.IsType<ModelAnswer>(result.Answer);
    }

    [Fact]
    public void Bare_json_is_read_completely()
    {
        var answer = Answer(Valid);

        Assert.Equal("Adds retries.", answer.Summary);
        Assert.Equal(["retry loop"], answer.KeyChanges);
        Assert.Equal(4, answer.Confidence);
        var finding = Assert.Single(answer.Findings);
        Assert.Equal(new ModelFinding("src/A.cs", 12, 14, Severity.High, "correctness", "Retry never stops", "The loop has no upper bound.", "for (var i = 0; i < 3; i++)"), finding);
    }

    [Theory]
    [InlineData("```json\n{0}\n```")]
    [InlineData("```\n{0}\n```")]
    [InlineData("Here is my review:\n\n{0}\n\nLet me know if you need more.")]
    [InlineData("\uFEFF  \n{0}\n  ")]
    [InlineData("Example shape: {{\"a\": 1}}. The answer:\n{0}")]
    public void The_answer_object_is_found_inside_fences_and_prose(string wrapper)
    {
        var answer = Answer(wrapper.Replace("{0}", Valid, StringComparison.Ordinal));

        Assert.Equal("Retry never stops", Assert.Single(answer.Findings).Title);
    }

    [Fact]
    public void Sloppy_json_is_accepted()
    {
        const string Text = """
            {
              // the review
              summary: 'Looks fine',   /* block comment */
              “key_changes”: "one change",
              'findings': [
                {file: 'src/A.cs', "line": "42-45", severity: 'MAJOR', category: 'bug', title: 'Off by one', body: 'x', suggestion: None,},
              ],
              "confidence": "9",
            }
            """;

        var answer = Answer(Text);

        Assert.Equal(["one change"], answer.KeyChanges);
        Assert.Equal(5, answer.Confidence);
        var finding = Assert.Single(answer.Findings);
        Assert.Equal((42, 45), (finding.Line, finding.EndLine));
        Assert.Equal(Severity.High, finding.Severity);
        Assert.Null(finding.Suggestion);
    }

    [Theory]
    [InlineData("blocker", Severity.Critical)]
    [InlineData("Critical", Severity.Critical)]
    [InlineData("ERROR", Severity.High)]
    [InlineData("major", Severity.High)]
    [InlineData("warning", Severity.Medium)]
    [InlineData("moderate", Severity.Medium)]
    [InlineData("minor", Severity.Low)]
    [InlineData("info", Severity.Low)]
    [InlineData("nitpick", Severity.Nit)]
    [InlineData("style", Severity.Nit)]
    [InlineData("trivial", Severity.Nit)]
    [InlineData("catastrophic-ish", Severity.Medium)]
    public void Severity_synonyms_map_case_insensitively(string word, Severity expected)
    {
        var answer = Answer($$"""{"summary": "", "findings": [{"file": "a", "line": 1, "severity": "{{word}}", "title": "t", "body": "b"}]}""");

        Assert.Equal(expected, Assert.Single(answer.Findings).Severity);
    }

    [Fact]
    public void Key_variants_are_recognised()
    {
        var answer = Answer("""{"summary": "s", "keyChanges": [], "findings": [{"filename": "a.cs", "lineNumber": "7", "endLine": 9, "title": "t", "body": "b"}, {"path": "b.cs", "line": 3, "End-Line": 4, "title": "u", "body": "c"}]}""");

        Assert.Equal(("a.cs", 7, (int?)9), (answer.Findings[0].File, answer.Findings[0].Line, answer.Findings[0].EndLine));
        Assert.Equal(("b.cs", 3, (int?)4), (answer.Findings[1].File, answer.Findings[1].Line, answer.Findings[1].EndLine));
    }

    [Fact]
    public void Findings_without_file_line_or_text_are_dropped_not_fatal()
    {
        var result = AnswerParser.Parse("""
            {"summary": "s", "findings": [
              {"line": 1, "title": "no file", "body": "b"},
              {"file": "a.cs", "title": "no line", "body": "b"},
              {"file": "a.cs", "line": 2},
              "not an object",
              {"file": "a.cs", "line": 3, "body": "Only a body.\nSecond line."}
            ]}
            """);

        Assert.Null(result.Error);
        Assert.Equal(4, result.DroppedFindings);
        var kept = Assert.Single(result.Answer!.Findings);
        Assert.Equal("Only a body.", kept.Title);
        Assert.Equal("general", kept.Category);
        Assert.Equal(Severity.Medium, kept.Severity);
    }

    [Theory]
    [InlineData("\"3\"", 3)]
    [InlineData("0", 1)]
    [InlineData("12", 5)]
    [InlineData("0.8", 4)]
    [InlineData("\"high\"", null)]
    [InlineData("null", null)]
    public void Confidence_is_clamped_to_one_to_five_or_null(string raw, int? expected)
    {
        Assert.Equal(expected, Answer($$"""{"summary": "s", "findings": [], "confidence": {{raw}}}""").Confidence);
    }

    [Fact]
    public void A_truncated_answer_asks_for_a_complete_one()
    {
        var result = AnswerParser.Parse(Valid[..(Valid.Length / 2)]);

        Assert.Null(result.Answer);
        Assert.Equal(AnswerParser.CutOff, result.Error);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("I reviewed the code and found no problems.")]
    [InlineData("{\"a\": 1} and {\"b\": 2}")]
    [InlineData("Findings: the file src/A.cs line 12 has a bug (critical).")]
    public void Text_without_an_answer_object_is_an_error(string text)
    {
        var result = AnswerParser.Parse(text);

        Assert.Null(result.Answer);
        Assert.False(string.IsNullOrWhiteSpace(result.Error));
    }

    [Fact]
    public void Malformed_json_says_where()
    {
        var result = AnswerParser.Parse("""{"summary": "s", "findings": [{"file": "a", "line": 1, "title": "t" "body": oops}]}""");

        Assert.Null(result.Answer);
        Assert.Contains("not valid JSON", result.Error, StringComparison.Ordinal);
        Assert.Contains("oops", result.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_prefix_of_an_answer_parses_without_throwing()
    {
        for (var length = 0; length <= Valid.Length; length++)
        {
            var result = AnswerParser.Parse(Valid[..length]);

            Assert.True(result.Answer is not null ^ result.Error is not null, $"prefix of {length} characters");
        }
    }

    [Fact]
    public void Random_mutations_and_noise_never_throw()
    {
        var random = new Random(20240611);
        const string Alphabet = "{}[]\":,'`/*#\\ \n\tabcnulTrueNone0123456789-.eE\u201C\u201D";
        for (var i = 0; i < 3000; i++)
        {
            var chars = Valid.ToCharArray();
            for (var m = random.Next(1, 8); m > 0; m--)
            {
                chars[random.Next(chars.Length)] = Alphabet[random.Next(Alphabet.Length)];
            }

            var noise = new string(Enumerable.Range(0, random.Next(0, 200)).Select(_ => Alphabet[random.Next(Alphabet.Length)]).ToArray());
            foreach (var text in new[] { new string(chars), noise })
            {
                var result = AnswerParser.Parse(text);
                Assert.True(result.Answer is not null ^ result.Error is not null);
            }
        }
    }

    [Fact]
    public void Deep_nesting_is_an_error_not_a_stack_overflow()
    {
        var text = "{\"summary\": \"s\", \"findings\": " + new string('[', 100_000) + new string(']', 100_000) + "}";

        var result = AnswerParser.Parse(text);

        Assert.Null(result.Answer);
        Assert.Contains("nested too deeply", result.Error, StringComparison.Ordinal);
    }
}
