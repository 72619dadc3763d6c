using System.Globalization;
using BenchmarkDotNet.Attributes;
using Nectr.Engine.Budget;
using Nectr.Engine.Findings;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;

namespace Nectr.Benchmarks.Engine;

/// <summary>
/// The engine's share of one review, everything but the wait for the model (issue #3), on two synthetic PRs: about
/// 1,000 changed lines over 20 files, and 3,000 files (GitHub's maximum) of a few lines each. <see cref="Review"/>
/// is the whole path in the order <c>ModelReview</c> takes it; the other benchmarks are its stages, so the doc can
/// say where the time goes. Budget defaults: 200,000-token context, 8,192 output, 4 calls; standard (not
/// specialist) prompts; the real o200k tokenizer. Median and minimum are shown next to the mean because the
/// machine the numbers were taken on is shared: other load inflates the mean and the error first.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class EngineBenchmarks
{
    public enum PullRequest { ThousandLines, ThreeThousandFiles }

    private const int ContextTokens = 200_000;
    private const int OutputTokens = 8_192;
    private const int MaxCalls = 4;
    private const string Model = "gpt-4.1";

    private readonly ReviewEngine _engine = new();
    private readonly ITokenCounter _counter = O200kTokenCounter.Shared;
    private ReviewRequest _request = null!;
    private PreparedReview _prepared = null!;
    private string[] _answers = [];
    private AiOutcome _outcome = null!;

    [ParamsAllValues]
    public PullRequest Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _request = Shape == PullRequest.ThousandLines ? SyntheticPullRequests.ThousandLines() : SyntheticPullRequests.ThreeThousandFiles();
        _prepared = _engine.Prepare(_request);
        var (input, plan) = PlanAndPrompts(out var promptChars);
        _answers = CannedAnswers.For(plan, _prepared);
        _outcome = Outcome(plan, ParseAnswers());
        var result = ReviewEngine.Finish(_prepared, _outcome);
        Describe(plan, input, promptChars, result);
    }

    /// <summary>Everything <c>ModelReview</c> and the job do for one review besides calling the model.</summary>
    [Benchmark(Description = "whole review outside the LLM wait")]
    public int Review()
    {
        _prepared = _engine.Prepare(_request);
        var (_, plan) = PlanAndPrompts(out var promptChars);
        var outcome = Outcome(plan, ParseAnswers());
        return ReviewEngine.Finish(_prepared, outcome).Body.Length + promptChars;
    }

    [Benchmark(Description = "1. Prepare: filter, parse, built-in checks")]
    public int Prepare() => _engine.Prepare(_request).Files.Count;

    [Benchmark(Description = "2. Plan + prompts: budget, chunks, render every prompt")]
    public int Plan()
    {
        _ = PlanAndPrompts(out var promptChars);
        return promptChars;
    }

    [Benchmark(Description = "3. Parse the model's answers")]
    public int Parse() => ParseAnswers().Sum(a => a.Findings.Count);

    [Benchmark(Description = "4. Finish: pipeline, hygiene, verdict, markdown")]
    public int Finish() => ReviewEngine.Finish(_prepared, _outcome).Body.Length;

    /// <summary>As <c>ModelReview.RunAsync</c>: a nonce per review, the fixed prompt cost, the plan, one prompt per chunk.</summary>
    private (PromptInput Input, ChunkPlan Plan) PlanAndPrompts(out int promptChars)
    {
        var input = new PromptInput(_prepared.Request, _prepared.BuiltIn, PromptContext.Empty, ReviewPrompts.NewNonce());
        var budget = new PromptBudget(ContextTokens, OutputTokens, MaxCalls, ReviewPrompts.FixedTokens(input, _counter));
        var plan = ChunkPlanner.Plan(_prepared, budget, _counter);
        promptChars = 0;
        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var prompt = ReviewPrompts.Standard(input, plan.Chunks[i], i, plan.Chunks.Count);
            promptChars += prompt.System.Length + prompt.User.Length;
        }

        return (input, plan);
    }

    private List<ModelAnswer> ParseAnswers()
    {
        var answers = new List<ModelAnswer>(_answers.Length);
        foreach (var text in _answers)
        {
            answers.Add(AnswerParser.Parse(text).Answer ?? throw new InvalidOperationException("A canned answer did not parse."));
        }

        return answers;
    }

    /// <summary>The merge <c>ModelReview</c> does when a PR took several calls.</summary>
    private static AiOutcome Outcome(ChunkPlan plan, List<ModelAnswer> answers)
    {
        var merged = ModelReview.Merge(answers);
        var usage = new LlmUsage(answers.Count, plan.Chunks.Sum(c => c.Tokens + 4_000L), answers.Count * 1_500L, 0.42m);
        return new AiOutcome(Model, merged, plan.NotSent.ToList(), [], usage);
    }

    /// <summary>Prints what was reviewed, so the numbers can be read against the input; fails if the input is not what it claims.</summary>
    private void Describe(ChunkPlan plan, PromptInput input, int promptChars, ReviewResult result)
    {
        var files = _request.Files;
        var patchChars = files.Sum(f => f.Patch?.Length ?? 0);
        var fixedTokens = ReviewPrompts.FixedTokens(input, _counter);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Shape}: {files.Count} files, +{files.Sum(f => f.Additions)} -{files.Sum(f => f.Deletions)} lines, {patchChars / 1024.0:F0} KiB of patches; "
            + $"reviewed {_prepared.Files.Count}, skipped {_prepared.Skipped.Count}, built-in findings {_prepared.BuiltIn.Count}; "
            + $"fixed prompt {fixedTokens} tokens, {plan.Chunks.Count} chunks of [{string.Join(", ", plan.Chunks.Select(c => c.Tokens))}] tokens, "
            + $"not sent {plan.NotSent.Count}; prompts {promptChars / 1024.0:F0} KiB; model findings {_outcome.Answer!.Findings.Count}, "
            + $"inline comments {result.Comments.Count}, not placed {result.Unanchored.Count}; body {result.Body.Length} chars; verdict {result.Verdict}"));
        if (_prepared.BuiltIn.Count == 0 || plan.Chunks.Count == 0 || result.Comments.Count == 0 || _prepared.Skipped.Count == 0)
        {
            throw new InvalidOperationException("The synthetic pull request does not exercise the engine as intended.");
        }
    }
}
