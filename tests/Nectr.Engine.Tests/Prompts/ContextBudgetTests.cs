using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Prompts;

public sealed class ContextBudgetTests
{
    private static readonly O200kTokenCounter Counter = O200kTokenCounter.Shared;

    private static ContextBlock Issue(int number, int lines) =>
        new(ContextKind.LinkedIssue, $"#{number}", string.Join('\n', Enumerable.Range(1, lines).Select(i => $"Step {i}: the export button throws when the list is empty.")));

    [Fact]
    public void Blocks_that_fit_are_kept_whole_and_in_order()
    {
        var blocks = new[] { Issue(1, 3), Issue(2, 3) };

        Assert.Equal(blocks, ContextBudget.Fit(blocks, 10_000, Counter));
    }

    [Fact]
    public void The_block_that_overflows_is_cut_at_a_line_end_and_later_ones_are_left_out()
    {
        var blocks = new[] { Issue(1, 3), Issue(2, 400), Issue(3, 3) };
        var budget = Counter.Count(blocks[0].Title + blocks[0].Text) + 200;

        var kept = ContextBudget.Fit(blocks, budget, Counter);

        Assert.Equal(2, kept.Count);
        Assert.Equal(blocks[0], kept[0]);
        Assert.EndsWith("\n[… cut to fit the context budget]", kept[1].Text, StringComparison.Ordinal);
        Assert.StartsWith("Step 1:", kept[1].Text, StringComparison.Ordinal);
        Assert.True(kept.Sum(b => Counter.Count(b.Title) + Counter.Count(b.Text)) <= budget + 20);
        Assert.DoesNotContain(kept, b => b.Title == "#3");
    }

    [Fact]
    public void Each_source_has_its_share_and_all_together_leave_most_of_the_window_to_the_diff()
    {
        Assert.Equal(12_000, ContextBudget.TokensFor(ContextKind.LinkedIssue, 200_000));
        var total = Enum.GetValues<ContextKind>().Sum(ContextBudget.ShareOf);
        Assert.True(total <= 0.30, $"context shares add up to {total:P0} of the window");
    }
}
