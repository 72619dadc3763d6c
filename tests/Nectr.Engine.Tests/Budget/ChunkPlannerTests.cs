using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using static Nectr.Engine.Tests.Budget.SyntheticPullRequest;

namespace Nectr.Engine.Tests.Budget;

public sealed class ChunkPlannerTests
{
    private static readonly O200kTokenCounter Counter = O200kTokenCounter.Shared;

    [Fact]
    public void A_small_pull_request_is_one_chunk_with_every_file_whole()
    {
        var random = new Random(1);
        var prepared = Prepare([File("src/A.cs", Patch(random, 2, 5)), File("README.md", Patch(random, 1, 3))]);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(128_000, 8_000, 4, 3_000), Counter);

        var chunk = Assert.Single(plan.Chunks);
        Assert.Empty(plan.NotSent);
        Assert.Equal(["src/A.cs", "README.md"], chunk.Files.Select(f => f.Path));
        Assert.All(chunk.Files, f => Assert.False(f.Clipped));
        Assert.Equal(Counter.Count(chunk.Text), chunk.Tokens);
    }

    [Fact]
    public void Credential_files_are_never_sent_and_say_why()
    {
        var prepared = Prepare([
            File("deploy/.env", "@@ -0,0 +1,2 @@\n+DATABASE_URL=postgres://app@db/app\n+FEATURE_FLAG=on", "added"),
            File("src/A.cs", "@@ -1,1 +1,2 @@\n context\n+added"),
        ]);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(128_000, 8_000, 4, 3_000), Counter);

        var skipped = Assert.Single(plan.NotSent);
        Assert.Equal(new SkippedFile("deploy/.env", SensitiveFiles.Reason), skipped);
        Assert.DoesNotContain("DATABASE_URL", string.Concat(plan.Chunks.Select(c => c.Text)), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_too_big_for_one_call_is_clipped_to_its_leading_whole_hunks()
    {
        var random = new Random(2);
        var patch = Patch(random, 40, 30);
        var prepared = Prepare([File("src/Big.cs", patch)]);
        var hunks = prepared.Files[0].Patch.Hunks;

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(6_000, 1_000, 1, 1_000), Counter);

        var file = Assert.Single(Assert.Single(plan.Chunks).Files);
        Assert.True(file.Clipped);
        var firstUnsent = hunks.First(h => !file.Rendered.Contains($"+{h.NewStart},{h.NewCount} @@", StringComparison.Ordinal));
        var sent = hunks.TakeWhile(h => h != firstUnsent).ToList();
        Assert.NotEmpty(sent);
        Assert.All(hunks.SkipWhile(h => h != firstUnsent), h => Assert.DoesNotContain($"+{h.NewStart},{h.NewCount} @@", file.Rendered, StringComparison.Ordinal));
        Assert.Contains($"hunks from line {firstUnsent.NewStart} on were not sent", file.Rendered, StringComparison.Ordinal);
        Assert.Equal(new SkippedFile("src/Big.cs", $"clipped: hunks from line {firstUnsent.NewStart} on were not sent (token budget)"), Assert.Single(plan.NotSent));
        Assert.True(plan.Chunks[0].Tokens <= 4_000);
    }

    [Fact]
    public void A_file_whose_first_hunk_does_not_fit_is_not_sent_with_its_size()
    {
        var random = new Random(3);
        var prepared = Prepare([File("src/Huge.cs", Patch(random, 1, 3_000))]);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(6_000, 1_000, 3, 1_000), Counter);

        Assert.Empty(plan.Chunks);
        var skipped = Assert.Single(plan.NotSent);
        var tokens = Counter.Count(HunkRenderer.Render(prepared.Files[0]));
        Assert.Equal($"not sent to the model: over the token budget ({tokens} tokens)", skipped.Reason);
    }

    [Fact]
    public void When_calls_run_out_the_lowest_priority_files_are_the_ones_not_sent()
    {
        var random = new Random(4);
        var files = Enumerable.Range(0, 30).Select(i => File($"docs/page{i:D2}.md", Patch(random, 3, 10)))
            .Concat(Enumerable.Range(0, 30).Select(i => File($"src/Service{i:D2}.cs", Patch(random, 3, 10))))
            .ToList();
        var prepared = Prepare(files);
        // One call with room for the source files and a little more: the docs must be what is left out.
        var sourceTokens = prepared.Files.Where(f => f.File.Path.StartsWith("src/", StringComparison.Ordinal))
            .Sum(f => Counter.Count(HunkRenderer.Render(f)) + 1);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(sourceTokens + 100 + 2_000, 2_000, 1, 100), Counter);

        var sent = Assert.Single(plan.Chunks).Files.Where(f => !f.Clipped).Select(f => f.Path).ToHashSet();
        Assert.All(files.Where(f => f.Path.StartsWith("src/", StringComparison.Ordinal)), f => Assert.Contains(f.Path, sent));
        Assert.True(plan.NotSent.Count >= 25, $"{plan.NotSent.Count} not sent");
        Assert.All(plan.NotSent, s => Assert.StartsWith("docs/", s.Path, StringComparison.Ordinal));
    }

    [Fact]
    public void A_large_deletion_only_file_is_summarised()
    {
        var prepared = Prepare([File("src/Legacy.cs", DeletionPatch(new Random(5), 400))]);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(128_000, 8_000, 1, 1_000), Counter);

        var file = Assert.Single(Assert.Single(plan.Chunks).Files);
        Assert.Contains("(400 lines deleted)", file.Rendered, StringComparison.Ordinal);
        Assert.True(file.Tokens < 100, $"{file.Tokens} tokens");
    }

    [Fact]
    public void Nothing_is_sent_when_the_fixed_prompt_already_fills_the_context()
    {
        var prepared = Prepare([File("src/A.cs", "@@ -1,1 +1,2 @@\n context\n+added")]);

        var plan = ChunkPlanner.Plan(prepared, new PromptBudget(4_000, 1_000, 4, 3_000), Counter);

        Assert.Empty(plan.Chunks);
        Assert.Equal("src/A.cs", Assert.Single(plan.NotSent).Path);
    }

    [Fact]
    public void A_3000_file_pull_request_fits_the_calls_and_budget_and_accounts_for_every_file()
    {
        var prepared = Prepare(ThreeThousandFiles());
        var input = new PromptInput(prepared.Request, prepared.BuiltIn, PromptContext.Empty, "n0nce-3000-files");
        var budget = new PromptBudget(128_000, 16_000, 8, ReviewPrompts.FixedTokens(input, Counter));
        var capacity = budget.ContextTokens - budget.OutputReserve;

        var plan = ChunkPlanner.Plan(prepared, budget, Counter);

        Assert.InRange(plan.Chunks.Count, 1, budget.MaxCalls);
        foreach (var chunk in plan.Chunks)
        {
            Assert.Equal(Counter.Count(chunk.Text), chunk.Tokens);
            Assert.True(chunk.Tokens + budget.FixedPromptTokens <= capacity, $"{chunk.Tokens} + {budget.FixedPromptTokens} > {capacity}");
        }

        var whole = plan.Chunks.SelectMany(c => c.Files).Where(f => !f.Clipped).Select(f => f.Path).ToList();
        var clipped = plan.Chunks.SelectMany(c => c.Files).Where(f => f.Clipped).Select(f => f.Path).ToList();
        var accounted = whole.Concat(plan.NotSent.Select(s => s.Path)).ToList();
        Assert.Equal(accounted.Count, accounted.Distinct().Count());
        Assert.Equal(prepared.Files.Select(f => f.File.Path).Order(StringComparer.Ordinal), accounted.Order(StringComparer.Ordinal));
        Assert.All(clipped, path => Assert.StartsWith("clipped: ", plan.NotSent.Single(s => s.Path == path).Reason, StringComparison.Ordinal));
        Assert.Contains(plan.NotSent, s => s.Reason == SensitiveFiles.Reason);
        Assert.Contains(plan.NotSent, s => s.Reason.StartsWith("not sent to the model: over the token budget", StringComparison.Ordinal));

        // The whole prompt of every call, as sent, fits: the budget built from FixedTokens holds end to end.
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            foreach (var prompt in new[] { ReviewPrompts.Standard(input, plan.Chunks[i], i, plan.Chunks.Count), ReviewPrompts.Specialist(Specialty.Security, input, plan.Chunks[i], i, plan.Chunks.Count) })
            {
                Assert.True(Counter.Count(prompt.System) + Counter.Count(prompt.User) <= capacity);
            }
        }
    }

    [Fact]
    public void The_plan_is_deterministic()
    {
        var random = new Random(6);
        var files = Enumerable.Range(0, 80).Select(i => File($"src/F{i}.cs", Patch(random, 4, 12))).ToList();
        var budget = new PromptBudget(10_000, 2_000, 3, 1_000);

        var first = ChunkPlanner.Plan(Prepare(files), budget, Counter);
        var second = ChunkPlanner.Plan(Prepare(files.AsEnumerable().Reverse().ToList()), budget, Counter);

        Assert.Equal(first.Chunks.Select(c => c.Text), second.Chunks.Select(c => c.Text));
        Assert.Equal(first.NotSent, second.NotSent);
    }

    private static List<PullRequestFile> ThreeThousandFiles()
    {
        var random = new Random(3000);
        var files = new List<PullRequestFile>(3000);
        for (var i = 0; i < 3000; i++)
        {
            var file = (i % 10) switch
            {
                0 or 1 or 2 or 3 => File($"src/Module{i / 100}/Service{i}.cs", Patch(random, 1 + random.Next(4), 12)),
                4 or 5 => File($"tests/Module{i / 100}/Service{i}Tests.cs", Patch(random, 1 + random.Next(3), 10)),
                6 => File($"docs/guide/page{i}.md", Patch(random, 1 + random.Next(2), 8)),
                7 => File($"src/Legacy/Old{i}.cs", DeletionPatch(random, 5 + random.Next(60))),
                8 => File($"src/Module{i / 100}/Renamed{i}.cs", Patch(random, 1, 4), "renamed", $"src/Old/Renamed{i}.cs"),
                _ => i % 300 == 9 ? File($"deploy/env{i}/.env", "@@ -0,0 +1,1 @@\n+FEATURE=on", "added")
                    : i % 100 == 19 ? File($"src/Generated/Huge{i}.cs", Patch(random, 60, 40))
                    : File($"config/app{i}.json", Patch(random, 1, 6)),
            };
            files.Add(file);
        }

        return files;
    }
}
