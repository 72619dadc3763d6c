using Nectr.Engine.Review;

namespace Nectr.Reviews;

internal static class ReviewPipelineExtensions
{
    /// <summary>
    /// The review itself (engine, AI stage, pipeline) and its publisher: registered once here, by the server's
    /// composition root and by the command line's host, so the worker and <c>nectr review</c> run the same review.
    /// Needs <c>AddGitHub</c> and <c>AddLlm</c>.
    /// </summary>
    public static IHostApplicationBuilder AddReviewPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReviewEngine>();
        builder.Services.AddSingleton<AiReviewer>();
        builder.Services.AddSingleton<ReviewPipeline>();
        builder.Services.AddSingleton<ReviewPublisher>();
        return builder;
    }
}
