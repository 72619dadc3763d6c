using System.Diagnostics;
using System.Globalization;
using Nectr.Engine.Budget;
using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;

namespace Nectr.Benchmarks.Engine;

/// <summary>
/// <c>stage2 [rounds]</c>: a Stopwatch breakdown of <see cref="EngineBenchmarks"/>' stage 2 ("Plan + prompts") on both
/// synthetic PRs, every part measured in the same process and round so the shares can be compared on a loaded machine.
/// The parts overlap (rendering includes redaction; the plan includes rendering and counting): it says where the time
/// goes, not a sum. Each line prints the median over the rounds and the bytes allocated by one round.
/// </summary>
internal static class StageTwoProfile
{
    public static int Run(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5;
        Console.WriteLine($"load average: {LoadAverage()}");
        foreach (var (name, request) in new[] { ("1,000-line PR", SyntheticPullRequests.ThousandLines()), ("3,000-file PR", SyntheticPullRequests.ThreeThousandFiles()) })
        {
            var prepared = new ReviewEngine().Prepare(request);
            var counter = O200kTokenCounter.Shared;
            var input = new PromptInput(prepared.Request, prepared.BuiltIn, PromptContext.Empty, ReviewPrompts.NewNonce());
            var budget = new PromptBudget(200_000, 8_192, 4, ReviewPrompts.FixedTokens(input, counter));
            var rendered = prepared.Files.Select(HunkRenderer.Render).ToList();
            var plan = ChunkPlanner.Plan(prepared, budget, counter);
            var hunkTexts = prepared.Files.SelectMany(f => f.Patch.Hunks.Select(h => string.Join('\n', h.Lines.Select(l => f.Patch.LineSpan(l).ToString())))).ToList();
            var parts = new (string Part, Func<int> Work)[]
            {
                ("stage 2 whole: plan + every standard prompt", () =>
                {
                    var p = ChunkPlanner.Plan(prepared, budget, counter);
                    return p.Chunks.Select((c, i) => ReviewPrompts.Standard(input, c, i, p.Chunks.Count).User.Length).Sum();
                }),
                ("  ChunkPlanner.Plan", () => ChunkPlanner.Plan(prepared, budget, counter).Chunks.Count),
                ("  render every file (HunkRenderer.Render)", () => prepared.Files.Sum(f => HunkRenderer.Render(f).Length)),
                ("    redaction of every hunk's lines (FindSecrets)", () => hunkTexts.Sum(t => SecretCheck.Default.FindSecrets(t).Count)),
                ("    the same, every rule over the whole text", () => hunkTexts.Sum(t => SecretCheck.Default.FindSecrets(t, static _ => null).Count)),
                ("  count every rendered file", () => rendered.Sum(counter.Count)),
                ("  count every chunk as sent", () => plan.Chunks.Sum(c => counter.Count(c.Text))),
                ("  every standard prompt of the plan", () => plan.Chunks.Select((c, i) => ReviewPrompts.Standard(input, c, i, plan.Chunks.Count).User.Length).Sum()),
                ("  ReviewPrompts.FixedTokens", () => ReviewPrompts.FixedTokens(input, counter)),
            };
            Console.WriteLine($"{name}: {prepared.Files.Count} files, {plan.Chunks.Count} chunks, {plan.Chunks.Sum(c => c.Tokens)} tokens sent");
            foreach (var (part, work) in parts)
            {
                work();
                var times = new List<double>();
                long allocated = 0;
                for (var r = 0; r < rounds; r++)
                {
                    var before = GC.GetAllocatedBytesForCurrentThread();
                    var watch = Stopwatch.StartNew();
                    work();
                    times.Add(watch.Elapsed.TotalMilliseconds);
                    allocated = GC.GetAllocatedBytesForCurrentThread() - before;
                }

                times.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  {part,-52} median {times[times.Count / 2],8:F1} ms  min {times[0],8:F1} ms  alloc {allocated / 1048576.0,6:F1} MB"));
            }
        }

        return 0;
    }

    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
