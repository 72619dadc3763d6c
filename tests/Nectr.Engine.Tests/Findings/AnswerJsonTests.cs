using Nectr.Engine.Findings;
using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Findings;

public sealed class AnswerJsonTests
{
    [Fact]
    public void A_written_answer_parses_back_to_the_same_answer()
    {
        var answer = new ModelAnswer("Adds a cache.", ["cache", "tests"],
        [
            new ModelFinding("src/a.cs", 12, 14, Severity.High, "correctness", "Off by one", "The loop \"ends\" early.\nSee the \\ path.", "for (var i = 0; i <= n; i++)"),
            new ModelFinding("src/b.cs", 3, null, Severity.Nit, "style", "Name", "Rename it.", null),
        ], 4)
        {
            Resolves = [new ModelResolution(12, 5, "Adds the \"missing\" retry.")],
        };

        var parsed = AnswerParser.Parse(AnswerJson.Write(answer));

        Assert.NotNull(parsed.Answer);
        Assert.Equal(answer.Summary, parsed.Answer.Summary);
        Assert.Equal(answer.KeyChanges, parsed.Answer.KeyChanges);
        Assert.Equal(answer.Findings, parsed.Answer.Findings);
        Assert.Equal(4, parsed.Answer.Confidence);
        Assert.Equal(answer.Resolves, parsed.Answer.Resolves);
    }

    [Fact]
    public void An_answer_without_resolved_issues_is_written_without_the_field()
    {
        Assert.DoesNotContain("resolves", AnswerJson.Write(new ModelAnswer("Fine.", [], [], 3)), StringComparison.Ordinal);
    }
}
