namespace Nectr.Knowledge;

internal static class KnowledgeExtensions
{
    /// <summary>
    /// The knowledge index: its one writer (called by intake for every <c>pull_request</c> delivery and by the review
    /// runner after each review) and its queries. Needs <c>AddData</c>.
    /// </summary>
    public static IHostApplicationBuilder AddKnowledge(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<KnowledgeIndex>();
        builder.Services.AddSingleton<KnowledgeQueries>();
        return builder;
    }
}
