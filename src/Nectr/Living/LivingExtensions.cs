namespace Nectr.Living;

internal static class LivingExtensions
{
    /// <summary>Incremental reviews of living pull requests (the findings ledger, thread resolution), scoped like the review run.</summary>
    public static IHostApplicationBuilder AddLivingPullRequests(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<FindingLedger>();
        builder.Services.AddScoped<ThreadResolver>();
        builder.Services.AddScoped<LivingReview>();
        return builder;
    }
}
