using Nectr.Engine.Budget;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;
using Nectr.Llm;
using Nectr.Tools;

namespace Nectr.Reviews;

/// <summary>
/// The AI stage of one review, wired: the engine's <see cref="ModelReview"/> (chunks, repair turn, merge) asking
/// the configured provider, with the answers this job already paid for (<see cref="ModelAnswerStore"/>), so a
/// retried job asks only what is still unanswered and counts each paid call once. A pull request's questions may use
/// the read-only tools of <see cref="ReviewTools"/> (REVIEW_TOOL_ROUNDS). Scoped, like the
/// <see cref="LlmClient"/> it uses: one per review. A permanent provider failure (auth, spend limit) is thrown as
/// <see cref="LlmException"/> so the job is parked; a transient one goes to the job queue, which retries later.
/// </summary>
internal sealed partial class AiReviewer(LlmClient llm, PriceTable prices, ModelAnswerStore store, ReviewTools tools, ILogger<AiReviewer> logger)
{
    public bool Enabled => llm.Enabled;

    public async Task<AiOutcome> ReviewAsync(PreparedReview prepared, PromptContext context, CancellationToken cancellationToken)
    {
        var options = llm.Options;
        var settings = new ModelReviewSettings(options.Model, options.ContextTokens, options.OutputTokens, options.MaxCalls, options.ParallelReviewAgents);
        var review = new ModelReview(new LlmReviewModel(llm, prices, tools.For(prepared.Request)), settings, O200kTokenCounter.Shared);
        var answers = await store.OpenAsync(prepared.Request.JobId, cancellationToken);
        var result = await review.RunAsync(prepared, context, answers, cancellationToken);
        foreach (var part in result.UnreadableParts)
        {
            Log.Unreadable(logger, prepared.Request.Owner, prepared.Request.Repo, prepared.Request.Number, part, result.Parts);
        }

        return result.Outcome;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "The model's answer for part {Part} of {Parts} of {Owner}/{Repo}#{Number} could not be read after a second try")]
        public static partial void Unreadable(ILogger logger, string owner, string repo, int number, int part, int parts);
    }
}
