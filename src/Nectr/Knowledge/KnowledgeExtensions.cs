using Nectr.Sync;

namespace Nectr.Knowledge;

internal static class KnowledgeExtensions
{
    /// <summary>
    /// The knowledge index: its one writer (called by intake for every <c>pull_request</c> delivery, by the review
    /// runner after each review and by the backfill), its queries and analytics, and the backfill as a sync task.
    /// Needs <c>AddData</c>; the backfill runs on <c>AddSync</c>'s runner.
    /// </summary>
    public static IHostApplicationBuilder AddKnowledge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KnowledgeIndex>();
        builder.Services.AddSingleton<KnowledgeQueries>();
        builder.Services.AddSingleton<KnowledgeAnalytics>();
        builder.Services.AddScoped<RepositoryFiles>();
        builder.Services.AddScoped<IRepositorySyncTask, KnowledgeBackfill>();
        return builder;
    }
}
