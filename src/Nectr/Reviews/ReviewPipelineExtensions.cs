using Nectr.Context;
using Nectr.Engine.Review;

namespace Nectr.Reviews;

internal static class ReviewPipelineExtensions
{
    /// <summary>
    /// The review itself (engine, AI stage, pipeline) and its publisher: registered once here, by the server's
    /// composition root and by the command line's host, so the worker and <c>nectr review</c> run the same review.
    /// Needs <c>AddGitHub</c> and <c>AddLlm</c>. A review runs in a DI scope: the worker opens one per job, the command
    /// line one per run.
    /// </summary>
    public static IHostApplicationBuilder AddReviewPipeline(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ReviewEngine>();
        // Scoped, one per review: the LLM client's per-review state (its retry budget, a refused schema) lives in the
        // scope, as the GitHub client's budget does for the publisher.
        builder.Services.AddScoped<AiReviewer>();
        builder.Services.AddScoped<ReviewPipeline>();
        // The context's database sources (the knowledge index) are registered only where there is a database: the
        // command line without DATABASE_URL gathers what GitHub alone can tell.
        builder.Services.AddScoped<ReviewContextGatherer>();
        builder.Services.AddScoped<ReviewPublisher>();
        return builder;
    }
}
