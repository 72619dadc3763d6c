using System.Globalization;
using Nectr.Engine.Budget;
using Nectr.Engine.Findings;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.Configuration;
using Nectr.Llm;

namespace Nectr.Reviews;

/// <summary>
/// The AI stage of one review: plan chunks within the token budget, ask the model (one call per chunk, or three
/// specialists and a synthesis per chunk in parallel mode), re-prompt once on an unreadable answer, and merge.
/// Calls are bounded: at most LLM_MAX_CALLS chunks, each 1 call (+1 repair) or 4 calls (+ repairs).
/// A permanent provider failure (auth, spend limit) is thrown as <see cref="LlmException"/> so the job is parked;
/// unreadable answers fall back to the built-in findings and the review says so.
/// One retry budget per job: every answered question is kept with the job (<see cref="ModelAnswerStore"/>), so a job
/// retried after a later question failed asks only the rest, and counts each paid call once; and a retried job tries
/// each question once (it already waited the queue's backoff) instead of LLM_MAX_ATTEMPTS times again.
/// </summary>
internal sealed partial class AiReviewer(LlmClient llm, PriceTable prices, ModelAnswerStore store, ILogger<AiReviewer> logger)
{
    private static readonly Specialty[] Specialists = [Specialty.Security, Specialty.Performance, Specialty.Style];

    public bool Enabled => llm.Enabled;

    public async Task<AiOutcome> ReviewAsync(PreparedReview prepared, PromptContext context, CancellationToken cancellationToken)
    {
        var options = llm.Options;
        var counter = O200kTokenCounter.Shared;
        var input = new PromptInput(prepared.Request, prepared.BuiltIn, context, ReviewPrompts.NewNonce());
        var budget = new PromptBudget(options.ContextTokens, options.OutputTokens, options.MaxCalls, ReviewPrompts.FixedTokens(input, counter));
        var plan = ChunkPlanner.Plan(prepared, budget, counter);
        var usage = new UsageMeter();
        var asker = new Asker(AskModelAsync, options, logger, input.Nonce, await store.OpenAsync(prepared.Request.JobId, cancellationToken), usage);
        var notSent = plan.NotSent.ToList();
        var notes = new List<string>();
        var answers = new List<ModelAnswer>();

        for (var i = 0; i < plan.Chunks.Count; i++)
        {
            var chunk = plan.Chunks[i];
            var answer = options.ParallelReviewAgents
                ? await ParallelAsync(input, chunk, i, plan.Chunks.Count, asker, cancellationToken)
                : await asker.AskAsync(ReviewPrompts.Standard(input, chunk, i, plan.Chunks.Count), cancellationToken);
            if (answer is not null)
            {
                answers.Add(answer);
                continue;
            }

            // Never a silent partial review: the files of an unreadable part are listed as not reviewed by the model.
            notSent.AddRange(chunk.Files.Select(f => new SkippedFile(f.Path, "not reviewed by the model: its answer could not be read")));
            Log.Unreadable(logger, prepared.Request.Owner, prepared.Request.Repo, prepared.Request.Number, i + 1, plan.Chunks.Count);
        }

        if (plan.Chunks.Count > 0 && answers.Count == 0)
        {
            notes.Add("The model's answer could not be read, even after asking again; this review shows the built-in checks only.");
        }
        else if (answers.Count < plan.Chunks.Count)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"The model's answer for {plan.Chunks.Count - answers.Count} of {plan.Chunks.Count} parts of this pull request could not be read; their files are listed under coverage."));
        }

        return new AiOutcome(options.Model, answers.Count == 0 ? null : Merge(answers), notSent, notes, usage.Total());
    }

    private static async Task<ModelAnswer?> ParallelAsync(PromptInput input, PromptChunk chunk, int index, int count, Asker asker, CancellationToken cancellationToken)
    {
        // Three specialists at once; the synthesis sees only what they answered (as untrusted data).
        var specialists = await Task.WhenAll(Specialists.Select(async s =>
            (Specialty: s, Answer: await asker.AskAsync(ReviewPrompts.Specialist(s, input, chunk, index, count), cancellationToken))));
        var readable = specialists.Where(s => s.Answer is not null).ToList();
        if (readable.Count == 0)
        {
            return null;
        }

        var synthesis = await asker.AskAsync(
            ReviewPrompts.Synthesis(input, readable.Select(s => (s.Specialty, AnswerJson.Write(s.Answer!))).ToList()), cancellationToken);

        // If the synthesis is unreadable the specialists' findings still stand; the later dedupe merges overlaps.
        return synthesis ?? Merge(readable.Select(s => s.Answer!).ToList());
    }

    /// <summary>
    /// One question; if the answer cannot be read, one more turn with the parse error, then give up (null).
    /// <paramref name="maxAttempts"/> bounds each call's provider retries (null: LLM_MAX_ATTEMPTS).
    /// </summary>
    private async Task<StoredAnswer> AskModelAsync(Prompt prompt, int? maxAttempts, CancellationToken cancellationToken)
    {
        var messages = new List<LlmMessage> { LlmMessage.User(prompt.User) };
        var usage = new UsageMeter();
        for (var turn = 1; ; turn++)
        {
            var call = new LlmCall(prompt.System, messages, llm.Options.OutputTokens, AnswerSchema.Json, AnswerSchema.Name);
            var reply = await llm.CompleteAsync(call, cancellationToken);
            usage.Add(new LlmUsage(1, reply.InputTokens, reply.OutputTokens, prices.Cost(reply)));
            var parsed = AnswerParser.Parse(reply.Text);
            if (parsed.Answer is not null || turn == 2)
            {
                return new StoredAnswer(parsed.Answer, reply.Model, usage.Total());
            }

            messages.Add(LlmMessage.Assistant(reply.Text));
            messages.Add(LlmMessage.User(ReviewPrompts.Repair(parsed.Error ?? "the answer was not the JSON object described")));
        }
    }

    private static ModelAnswer Merge(List<ModelAnswer> answers) => answers.Count == 1 ? answers[0] : new ModelAnswer(
        string.Join("\n\n", answers.Select(a => a.Summary).Where(s => !string.IsNullOrWhiteSpace(s))),
        answers.SelectMany(a => a.KeyChanges).Distinct(StringComparer.Ordinal).Take(12).ToList(),
        answers.SelectMany(a => a.Findings).ToList(),
        answers.Select(a => a.Confidence).Where(c => c is not null).DefaultIfEmpty(null).Min());

    /// <summary>Asks the questions of one review: a question this job already had answered is not asked again.</summary>
    private sealed class Asker(
        Func<Prompt, int?, CancellationToken, Task<StoredAnswer>> ask, LlmOptions options, ILogger logger, string nonce, JobAnswers answers, UsageMeter usage)
    {
        public async Task<ModelAnswer?> AskAsync(Prompt prompt, CancellationToken cancellationToken)
        {
            var key = KeyOf(prompt);
            if (answers.Find(key) is { } kept)
            {
                usage.Add(kept.Usage);
                Log.Reused(logger, answers.JobId, answers.JobAttempt);
                return kept.Answer;
            }

            var answer = await ask(prompt, answers.IsRetry ? 1 : null, cancellationToken);
            await answers.SaveAsync(key, answer);
            usage.Add(answer.Usage);
            return answer.Answer;
        }

        /// <summary>The prompt as sent, with this run's random nonce taken out (it differs on every attempt), its version and the model.</summary>
        private string KeyOf(Prompt prompt)
        {
            return ModelAnswerStore.Key(
                ReviewPrompts.Version,
                options.Model,
                options.OutputTokens.ToString(CultureInfo.InvariantCulture),
                prompt.System.Replace(nonce, "{nonce}", StringComparison.Ordinal),
                prompt.User.Replace(nonce, "{nonce}", StringComparison.Ordinal));
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

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The model's answer for part {Part} of {Parts} of {Owner}/{Repo}#{Number} could not be read after a second try")]
        public static partial void Unreadable(ILogger logger, string owner, string repo, int number, int part, int parts);

        [LoggerMessage(2, LogLevel.Information, "Job {JobId}, attempt {Attempt}: reused a model answer an earlier attempt paid for")]
        public static partial void Reused(ILogger logger, long jobId, int attempt);
    }
}
