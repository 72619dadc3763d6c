using Nectr.Engine.Budget;

namespace Nectr.Engine.Prompts;

/// <summary>
/// Each source of context gets a share of the model's context window, so linked issues with long bodies cannot crowd
/// out the diff, nor one source another. A source's blocks are kept in order while they fit; the block that does
/// not is cut at a line end, and the rest are left out. Shares are of the whole window (LLM_CONTEXT_TOKENS).
/// </summary>
public static class ContextBudget
{
    /// <summary>The share of the window each kind of context may use; together a fifth of it, the diff keeps the rest.</summary>
    public static double ShareOf(ContextKind kind) => kind switch
    {
        ContextKind.LinkedIssue => 0.06,
        ContextKind.CandidateIssue => 0.02,
        ContextKind.FileExperts or ContextKind.FileHistory or ContextKind.RelatedPullRequest => 0.03,
        ContextKind.Memory => 0.04,
        _ => 0.02,
    };

    /// <summary>How many tokens a kind of context may use in a window of <paramref name="contextTokens"/>.</summary>
    public static int TokensFor(ContextKind kind, int contextTokens) => (int)(contextTokens * ShareOf(kind));

    /// <summary>The blocks that fit in <paramref name="maxTokens"/>, in order, the last one cut at a line end when that leaves anything.</summary>
    public static IReadOnlyList<ContextBlock> Fit(IReadOnlyList<ContextBlock> blocks, int maxTokens, ITokenCounter counter)
    {
        ArgumentNullException.ThrowIfNull(blocks);
        ArgumentNullException.ThrowIfNull(counter);
        var kept = new List<ContextBlock>();
        var left = maxTokens;
        foreach (var block in blocks)
        {
            var cost = counter.Count(block.Title) + counter.Count(block.Text);
            if (cost <= left)
            {
                kept.Add(block);
                left -= cost;
                continue;
            }

            var cut = Cut(block.Text, left - counter.Count(block.Title), counter);
            if (cut.Length > 0)
            {
                kept.Add(block with { Text = cut + "\n[… cut to fit the context budget]" });
            }

            break;
        }

        return kept;
    }

    /// <summary>The longest run of whole lines from the start that fits (binary search on the line count).</summary>
    private static string Cut(string text, int maxTokens, ITokenCounter counter)
    {
        if (maxTokens <= 0)
        {
            return "";
        }

        var lines = text.Split('\n');
        var (low, high) = (0, lines.Length);
        while (low < high)
        {
            var mid = (low + high + 1) / 2;
            if (counter.Count(string.Join('\n', lines, 0, mid)) <= maxTokens)
            {
                low = mid;
            }
            else
            {
                high = mid - 1;
            }
        }

        return string.Join('\n', lines, 0, low);
    }
}
