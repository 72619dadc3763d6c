using Nectr.Engine.Review;

namespace Nectr.Engine.Tests.Review;

public sealed class BodyLimitTests
{
    [Fact]
    public void Text_within_the_limit_is_unchanged()
    {
        Assert.Equal("short\n", BodyLimit.Truncate("short\n", 100));
    }

    [Fact]
    public void Long_text_is_cut_at_a_line_end_within_the_limit_with_the_note()
    {
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => $"- finding {i} with @\u200Bmention\n"));

        var cut = BodyLimit.Truncate(text, 10_000);

        Assert.True(cut.Length <= 10_000, $"{cut.Length} characters");
        Assert.EndsWith(BodyLimit.CutNote + "\n\n", cut, StringComparison.Ordinal);
        var kept = cut[..cut.IndexOf("\n\n" + BodyLimit.CutNote, StringComparison.Ordinal)];
        Assert.All(kept.Split('\n'), line => Assert.Matches(@"^- finding \d+ with @\u200Bmention$", line));
    }

    [Fact]
    public void A_cut_inside_a_code_fence_closes_the_fence_so_the_note_is_not_code()
    {
        var text = "intro\n```suggestion\n" + string.Concat(Enumerable.Repeat("    x = 1\n", 1000));

        var cut = BodyLimit.Truncate(text, 2_000);

        var fences = cut.Split('\n').Count(l => l.StartsWith("```", StringComparison.Ordinal));
        Assert.Equal(0, fences % 2);
        Assert.True(cut.Length <= 2_000);
    }
}
