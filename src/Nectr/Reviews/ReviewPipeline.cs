using Nectr.Engine.Review;

namespace Nectr.Reviews;

/// <summary>
/// The review itself, without GitHub or the queue: the built-in stage, then the AI stage when a model is
/// configured, then one finished review. The worker and the command line both call this, so they agree.
/// </summary>
internal sealed class ReviewPipeline(ReviewEngine engine)
{
    public Task<ReviewResult> ReviewAsync(ReviewRequest request, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var prepared = engine.Prepare(request);
        return Task.FromResult(ReviewEngine.Finish(prepared, ai: null));
    }
}
