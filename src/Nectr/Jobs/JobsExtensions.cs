using Nectr.Configuration;
using Nectr.Reviews;

namespace Nectr.Jobs;

internal static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder, JobOptions options)
    {
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddSingleton<Engine.Review.ReviewEngine>();
        builder.Services.AddSingleton<AiReviewer>();
        builder.Services.AddSingleton<ReviewPipeline>();
        // Scoped like the GitHub client it posts with: a job's reads spend that job's retry budget.
        builder.Services.AddScoped<ReviewPublisher>();
        builder.Services.AddScoped<ReviewRunner>();
        if (options.Concurrency > 0)
        {
            builder.Services.AddHostedService<ReviewWorker>();
        }

        return builder;
    }
}
