using Nectr.Configuration;
using Nectr.Context;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

/// <summary>
/// The review itself, without GitHub or the queue: the built-in stage, then the AI stage when a model is
/// configured, then one finished review. The worker and the command line both call this, so they agree.
/// </summary>
internal sealed class ReviewPipeline(ReviewEngine engine, AiReviewer ai)
{
    /// <summary>
    /// Reviews <paramref name="request"/> with what <paramref name="context"/> gathered: its blocks go to the model, its
    /// issues and related pull requests into the body, its gaps into the coverage. Commit messages the gatherer read
    /// reach the prompt when the request carries none of its own.
    /// </summary>
    public async Task<ReviewResult> ReviewAsync(ReviewRequest request, GatheredContext context, CancellationToken cancellationToken)
    {
        var prepared = engine.Prepare(request.CommitMessages.Count == 0 && context.CommitMessages.Count > 0 ? request with { CommitMessages = context.CommitMessages } : request);
        var outcome = ai.Enabled ? await ai.ReviewAsync(prepared, context.Prompt, cancellationToken) : null;
        return ReviewEngine.Finish(prepared, outcome, context.Review);
    }

    /// <summary>The deterministic stage alone: no model call.</summary>
    public ReviewResult BuiltInOnly(ReviewRequest request) => engine.Review(request);

    /// <summary>The per-review settings every entry point (worker, command line) derives from the configuration.</summary>
    public static ReviewSettings SettingsFor(ReviewOptions options) =>
        new(options.MaxInlineComments, options.InlineThreshold, options.BlockingReviews);
}
