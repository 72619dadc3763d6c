using System.Globalization;
using Nectr.Engine.Budget;
using Nectr.Engine.Findings;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Review;

/// <summary>The model and its budget for one review: the context window, the answer reserve, the most calls, and the mode.</summary>
public sealed record ModelReviewSettings(string Model, int ContextTokens, int OutputTokens, int MaxCalls, bool Parallel);

/// <summary>What the AI stage produced, and which parts (1-based) the model's answer could not be read for.</summary>
public sealed record ModelReviewResult(AiOutcome Outcome, IReadOnlyList<int> UnreadableParts, int Parts);

/// <summary>
/// The AI stage of one review, as policy: plan chunks within the token budget, ask the model (one question per
/// chunk, or three specialists and a synthesis per chunk in parallel mode), re-prompt once on an unreadable answer,
/// and merge. Questions are bounded: at most <see cref="ModelReviewSettings.MaxCalls"/> chunks, each 1 question
/// (+1 repair turn) or 4 questions (+ repairs). A question already answered for this review (<see cref="IAnswerCache"/>)
/// is not asked again. Unreadable answers fall back to the built-in findings, and the review says so; a model
/// failure the host throws (a spent key, an outage) ends the review.
/// </summary>
public sealed class ModelReview(IReviewModel model, ModelReviewSettings settings, ITokenCounter counter)
{
    private static readonly Specialty[] Specialists = [Specialty.Security, Specialty.Performance, Specialty.Style];

    public async Task<ModelReviewResult> RunAsync(PreparedReview prepared, PromptContext context, IAnswerCache answers, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prepared);
        var input = new PromptInput(prepared.Request, prepared.BuiltIn, context, ReviewPrompts.NewNonce());
        var budget = new PromptBudget(settings.ContextTokens, settings.OutputTokens, settings.MaxCalls, ReviewPrompts.FixedTokens(input, counter));
        var plan = ChunkPlanner.Plan(prepared, budget, counter);
        var asker = new Asker(model, settings, input.Nonce, answers);
        var notSent = plan.NotSent.ToList();
        var notes = new List<string>();
        var merged = new List<ModelAnswer>();
        var unreadable = new List<int>();

        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            var answer = settings.Parallel
                ? await ParallelAsync(input, chunk, i, plan.Chunks.Count, asker, cancellationToken)
                : await asker.AskAsync(ReviewPrompts.Standard(input, chunk, i, plan.Chunks.Count), QuestionFocus.General, cancellationToken);
            if (answer is not null)
            {
                merged.Add(answer);
                continue;
            }

            // Never a silent partial review: the files of an unreadable part are listed as not reviewed by the model.
            notSent.AddRange(chunk.Files.Select(f => new SkippedFile(f.Path, "not reviewed by the model: its answer could not be read")));
            unreadable.Add(i + 1);
        }

        if (plan.Chunks.Count > 0 && merged.Count == 0)
        {
            notes.Add("The model's answer could not be read, even after asking again; this review shows the built-in checks only.");
        }
        else if (merged.Count < plan.Chunks.Count)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"The model's answer for {plan.Chunks.Count - merged.Count} of {plan.Chunks.Count} parts of this pull request could not be read; their files are listed under coverage."));
        }

        var outcome = new AiOutcome(settings.Model, merged.Count == 0 ? null : Merge(merged), notSent, notes, asker.Usage.Total());
        return new ModelReviewResult(outcome, unreadable, plan.Chunks.Count);
    }

    /// <summary>
    /// Several answers as one: summaries joined, key changes deduplicated (at most 12), every finding (the findings
    /// pipeline dedupes overlaps later), the lowest confidence any answer gave, and per issue the most confident
    /// claim that the change resolves it (each part saw the same candidates, but only some of the code).
    /// </summary>
    internal static ModelAnswer Merge(IReadOnlyList<ModelAnswer> answers) => answers.Count == 1 ? answers[0] : new ModelAnswer(
        string.Join("\n\n", answers.Select(a => a.Summary).Where(s => !string.IsNullOrWhiteSpace(s))),
        answers.SelectMany(a => a.KeyChanges).Distinct(StringComparer.Ordinal).Take(12).ToList(),
        answers.SelectMany(a => a.Findings).ToList(),
        answers.Select(a => a.Confidence).Where(c => c is not null).DefaultIfEmpty(null).Min())
    {
        Resolves = answers.SelectMany(a => a.Resolves).GroupBy(r => r.Number)
            .Select(g => g.OrderByDescending(r => r.Confidence).First()).Take(AnswerMapping.MaxResolves).ToList(),
    };

    private static async Task<ModelAnswer?> ParallelAsync(PromptInput input, PromptChunk chunk, int index, int count, Asker asker, CancellationToken cancellationToken)
    {
        // Three specialists at once; the synthesis sees only what they answered (as untrusted data).
        var specialists = await Task.WhenAll(Specialists.Select(async s =>
            (Specialty: s, Answer: await asker.AskAsync(ReviewPrompts.Specialist(s, input, chunk, index, count), FocusOf(s), cancellationToken))));
        var readable = specialists.Where(s => s.Answer is not null).ToList();
        if (readable.Count == 0)
        {
            return null;
        }

        var synthesis = await asker.AskAsync(
            ReviewPrompts.Synthesis(input, readable.Select(s => (s.Specialty, AnswerJson.Write(s.Answer!))).ToList()), QuestionFocus.Synthesis, cancellationToken);

        // If the synthesis is unreadable the specialists' findings still stand; the later dedupe merges overlaps.
        return synthesis ?? Merge(readable.Select(s => s.Answer!).ToList());
    }

    private static QuestionFocus FocusOf(Specialty specialty) => specialty switch
    {
        Specialty.Security => QuestionFocus.Security,
        Specialty.Performance => QuestionFocus.Performance,
        Specialty.Style => QuestionFocus.Style,
        _ => throw new ArgumentOutOfRangeException(nameof(specialty), specialty, "Unknown specialty."),
    };

    /// <summary>Asks the questions of one review: a question already answered is not asked again, and every answer is kept.</summary>
    private sealed class Asker(IReviewModel model, ModelReviewSettings settings, string nonce, IAnswerCache answers)
    {
        public UsageMeter Usage { get; } = new();

        public async Task<ModelAnswer?> AskAsync(Prompt prompt, QuestionFocus focus, CancellationToken cancellationToken)
        {
            var key = new QuestionKey(
                ReviewPrompts.Version,
                settings.Model,
                settings.OutputTokens,
                prompt.System.Replace(nonce, "{nonce}", StringComparison.Ordinal),
                prompt.User.Replace(nonce, "{nonce}", StringComparison.Ordinal));
            if (answers.Find(key) is { } kept)
            {
                Usage.Add(kept.Usage);
                return kept.Answer;
            }

            var answer = await AskWithRepairAsync(prompt, new QuestionScope(focus, nonce), cancellationToken);
            await answers.SaveAsync(key, answer, cancellationToken);
            Usage.Add(answer.Usage);
            return answer.Answer;
        }

        /// <summary>One question; if the answer cannot be read, one more turn with the parse error, then give up (a null answer).</summary>
        private async Task<StoredAnswer> AskWithRepairAsync(Prompt prompt, QuestionScope scope, CancellationToken cancellationToken)
        {
            var turns = new List<ModelTurn> { ModelTurn.User(prompt.User) };
            var usage = new UsageMeter();
            for (var turn = 1; ; turn++)
            {
                var reply = await model.AskAsync(prompt.System, turns, ResponseSchema.Answer, scope, cancellationToken);
                usage.Add(reply.Usage);
                var parsed = AnswerParser.Parse(reply.Text);
                if (parsed.Answer is not null || turn == 2)
                {
                    return new StoredAnswer(parsed.Answer, reply.Model, usage.Total());
                }

                turns.Add(ModelTurn.Assistant(reply.Text));
                turns.Add(ModelTurn.User(ReviewPrompts.Repair(parsed.Error ?? "the answer was not the JSON object described")));
            }
        }
    }

    /// <summary>Sums the usage of calls; the cost is unknown (null) as soon as one call's is.</summary>
    private sealed class UsageMeter
    {
        private readonly Lock _lock = new();
        private int _calls;
        private long _input;
        private long _output;
        private decimal? _cost = 0m;

        public void Add(LlmUsage usage)
        {
            lock (_lock)
            {
                _calls += usage.Calls;
                _input += usage.InputTokens;
                _output += usage.OutputTokens;
                _cost = usage.CostUsd is { } cost && _cost is { } sum ? sum + cost : null;
            }
        }

        public LlmUsage Total()
        {
            lock (_lock)
            {
                return new LlmUsage(_calls, _input, _output, _calls == 0 ? 0m : _cost);
            }
        }
    }
}
