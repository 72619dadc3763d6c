using Nectr.Configuration;
using Nectr.Reviews;

namespace Nectr.Jobs;

internal static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder, NectrOptions options)
    {
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddSingleton<Engine.Review.ReviewEngine>();
        // Scoped: one per review, like the LLM client and the GitHub client they use (a job's calls spend that job's retry budget).
        builder.Services.AddScoped<AiReviewer>();
        builder.Services.AddScoped<ReviewPipeline>();
        builder.Services.AddScoped<ReviewPublisher>();
        builder.Services.AddScoped<ReviewRunner>();
        if (options.Queue.Concurrency > 0)
        {
            builder.Services.AddHostedService<ReviewWorker>();
        }

        return builder;
    }
}
