using Nectr.Configuration;
using Nectr.Living;
using Nectr.Reviews;

namespace Nectr.Jobs;

internal static class JobsExtensions
{
    public static IHostApplicationBuilder AddJobs(this IHostApplicationBuilder builder, JobOptions options)
    {
        builder.Services.AddSingleton<JobSignal>();
        builder.Services.AddSingleton<JobQueue>();
        builder.Services.AddScoped<ReviewRunner>(); // runs on the review pipeline: AddReviewPipeline
        builder.Services.AddScoped<Checks.ReviewChecks>();
        builder.AddLivingPullRequests();
        if (options.Concurrency > 0)
        {
            builder.Services.AddHostedService<ReviewWorker>();
        }

        return builder;
    }
}
