using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.Engine.Tests.Checks.Differential;
using static Nectr.Engine.Tests.Budget.SyntheticPullRequest;

namespace Nectr.Engine.Tests.Budget;

/// <summary>
/// Issue #13: a chunk's token count comes from its files' own counts plus a correction at each joint
/// (<c>ChunkPlanner.JoinedTokens</c>) instead of tokenizing the chunk again. These tests hold that count to a full count
/// of the joined text, the number the model is billed for and the plan's "no chunk exceeds its capacity" rests on.
/// </summary>
public sealed class JoinedTokenCountTests
{
    private static readonly O200kTokenCounter Counter = O200kTokenCounter.Shared;

    private static readonly Lazy<List<ChunkFile>> Synthetic = new(() => Rendered(SyntheticFiles()));

    private static readonly Lazy<List<ChunkFile>> JQuery = new(() => Rendered(JQueryFiles()));

    [Fact]
    public void Random_joins_of_synthetic_files_count_exactly_as_the_joined_text() => AssertRandomJoinsExact(Synthetic.Value, seed: 13);

    [Fact]
    public void Random_joins_of_real_jquery_files_count_exactly_as_the_joined_text() => AssertRandomJoinsExact(JQuery.Value, seed: 1313);

    [Fact]
    public void Joints_outside_the_proven_shape_are_counted_in_full()
    {
        var header = new ChunkFile("b.cs", "### b.cs (modified, +1 -0)\n@@ -1,1 +1,2 @@\n   1 + x\n", 0, Clipped: false);
        foreach (var earlier in new[] { "### a.cs (added, +1 -0)\n/// slash first\n", "### a.cs (added, +1 -0)\n   \n", "no line break at the end", "### a.cs\n\n" })
        {
            ChunkFile[] files = [new("a.cs", earlier, Counter.Count(earlier), false), header with { Tokens = Counter.Count(header.Rendered) }];

            Assert.Equal(Counter.Count(PromptChunk.Join(files)), ChunkPlanner.JoinedTokens(files, Counter));
        }
    }

    [Fact]
    public void Every_chunk_of_tight_plans_over_real_files_has_the_exact_count_of_its_text()
    {
        var prepared = new ReviewEngine().Prepare(Request(JQueryFiles()));
        foreach (var capacity in new[] { 3_000, 20_000, 120_000 })
        {
            var plan = ChunkPlanner.Plan(prepared, new PromptBudget(capacity + 1_000, 1_000, 4, 0), Counter);

            Assert.NotEmpty(plan.Chunks);
            Assert.All(plan.Chunks, chunk =>
            {
                Assert.Equal(Counter.Count(chunk.Text), chunk.Tokens);
                Assert.InRange(chunk.Tokens, 1, capacity);
            });
        }
    }

    private static void AssertRandomJoinsExact(List<ChunkFile> files, int seed)
    {
        var random = new Random(seed);
        var mismatches = new List<string>();
        for (var round = 0; round < 400; round++)
        {
            var join = Enumerable.Range(0, 2 + random.Next(8)).Select(_ => files[random.Next(files.Count)]).ToList();
            var exact = Counter.Count(PromptChunk.Join(join));
            var derived = ChunkPlanner.JoinedTokens(join, Counter);
            if (exact != derived)
            {
                mismatches.Add($"{string.Join(" + ", join.Select(f => f.Path))}: {derived} derived, {exact} counted");
            }
        }

        Assert.True(mismatches.Count == 0, string.Join('\n', mismatches.Take(5)));
    }

    private static List<ChunkFile> Rendered(List<PullRequestFile> files) =>
        [.. new ReviewEngine().Prepare(Request(files)).Files.Select(f => HunkRenderer.Render(f)).Select((text, i) => new ChunkFile($"#{i}", text, Counter.Count(text), false))];

    private static List<PullRequestFile> SyntheticFiles()
    {
        var random = new Random(30);
        return [.. Enumerable.Range(0, 300).Select(i => i % 7 == 0
            ? File($"src/Legacy/Old{i}.cs", DeletionPatch(random, 5 + random.Next(60)))
            : File($"src/M/S{i}.cs", Patch(random, 1 + random.Next(4), 12)))];
    }

    /// <summary>The real patches of the differential corpus as GitHub sends them: the hunks of each file, without git's headers.</summary>
    private static List<PullRequestFile> JQueryFiles()
    {
        var files = new List<PullRequestFile>();
        foreach (var (patch, i) in DifferentialCorpus.JQueryPatchTexts().Select((p, i) => (p, i)))
        {
            var hunks = patch.IndexOf("\n@@ ", StringComparison.Ordinal);
            if (hunks >= 0 && files.Count < 600)
            {
                files.Add(File($"jquery/{i}/{patch.Split('\n')[0].Split(" b/")[^1]}", patch[(hunks + 1)..].TrimEnd('\n')));
            }
        }

        return files;
    }
}
