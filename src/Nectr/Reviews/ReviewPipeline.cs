using Nectr.Configuration;
using Nectr.Engine.Prompts;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

/// <summary>
/// The review itself, without GitHub or the queue: the built-in stage, then the AI stage when a model is
/// configured, then one finished review. The worker and the command line both call this, so they agree.
/// </summary>
internal sealed class ReviewPipeline(ReviewEngine engine, AiReviewer ai)
{
    public async Task<ReviewResult> ReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        var prepared = engine.Prepare(request);
        var outcome = ai.Enabled ? await ai.ReviewAsync(prepared, PromptContext.Empty, cancellationToken) : null;
        return ReviewEngine.Finish(prepared, outcome);
    }

    /// <summary>The deterministic stage alone: no model call.</summary>
    public ReviewResult BuiltInOnly(ReviewRequest request) => engine.Review(request);

    /// <summary>The per-review settings every entry point (worker, command line) derives from the configuration.</summary>
    public static ReviewSettings SettingsFor(ReviewOptions options) =>
        new(options.MaxInlineComments, options.InlineThreshold, options.BlockingReviews);
}
