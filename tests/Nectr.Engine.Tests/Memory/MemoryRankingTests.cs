using Nectr.Engine.Budget;
using Nectr.Engine.Memory;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Memory;

public sealed class MemoryRankingTests
{
    private static readonly DateTime Now = new(2026, 12, 1, 0, 0, 0, DateTimeKind.Utc);

    [Fact]
    public void A_memory_naming_a_changed_directory_outranks_one_sharing_a_word_and_the_map_comes_last()
    {
        StoredMemory[] memories =
        [
            new(1, MemoryTypes.ProjectMap, "Layout: lib/, docs/.", null, Now),
            new(2, MemoryTypes.Decision, "Caching is per request.", null, Now),
            new(3, MemoryTypes.CodePattern, "Everything under src/cache/ is thread-safe.", null, Now.AddDays(-30)),
            new(4, MemoryTypes.ContributorProfile, "Works on the cache.", "mona", Now.AddDays(-60)),
            new(5, MemoryTypes.DeveloperStrength, "Great at SQL.", "hubot", Now),
        ];

        var briefing = MemoryRanking.Rank(memories, new MemoryQuery("MONA", ["src/cache/store.cs"], "Faster caching", null), 1_000, O200kTokenCounter.Shared);

        Assert.Equal([3L, 4, 2, 1], briefing.MemoryIds);
        var block = Assert.Single(briefing.Blocks);
        Assert.Equal(ContextKind.Memory, block.Kind);
        Assert.StartsWith("- [code_pattern] Everything under src/cache/", block.Text, StringComparison.Ordinal);
        Assert.Contains("- [contributor_profile, @mona] Works on the cache.", block.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_rule_too_long_for_the_budget_is_skipped_for_the_next_that_fits_and_nothing_is_returned_for_no_budget()
    {
        StoredMemory[] memories =
        [
            new(1, MemoryTypes.ProjectRule, string.Join(' ', Enumerable.Repeat("long", 200)), null, Now),
            new(2, MemoryTypes.ProjectRule, "Short rule.", null, Now.AddDays(-1)),
        ];
        var query = new MemoryQuery(null, [], "t", null);

        var briefing = MemoryRanking.Rank(memories, query, 60, O200kTokenCounter.Shared);

        Assert.Equal([2L], briefing.MemoryIds);
        Assert.InRange(briefing.Tokens, 1, 60);
        Assert.Same(MemoryBriefing.Empty, MemoryRanking.Rank(memories, query, 0, O200kTokenCounter.Shared));
        Assert.Same(MemoryBriefing.Empty, MemoryRanking.Rank([], query, 100, O200kTokenCounter.Shared));
    }
}
