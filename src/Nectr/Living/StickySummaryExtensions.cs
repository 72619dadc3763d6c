namespace Nectr.Living;

internal static class StickySummaryExtensions
{
    /// <summary>The sticky summary comment and the blocking-review dismissal: scoped, like the job's GitHub client they call.</summary>
    public static IHostApplicationBuilder AddStickySummary(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SummaryComment>();
        builder.Services.AddScoped<BlockingReviewDismissal>();
        return builder;
    }
}
