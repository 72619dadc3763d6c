namespace Nectr.Living;

internal static class LivingExtensions
{
    /// <summary>
    /// Reviews of living pull requests: the findings ledger, thread resolution, the sticky summary comment and the
    /// blocking-review dismissal; scoped like the review run and the job's GitHub client they call.
    /// </summary>
    public static IHostApplicationBuilder AddLivingPullRequests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FindingLedger>();
        builder.Services.AddScoped<ThreadResolver>();
        builder.Services.AddScoped<LivingReview>();
        builder.Services.AddScoped<SummaryComment>();
        builder.Services.AddScoped<BlockingReviewDismissal>();
        builder.Services.AddScoped<PullRequestSummary>();
        return builder;
    }
}
