using Nectr.Sync;

namespace Nectr.Issues;

internal static class IssuesExtensions
{
    /// <summary>
    /// The issue index: its one writer (intake's <c>issues</c> deliveries, the backfill), the open-issue backfill as a
    /// repository sync task, the queries a review asks, and the linked-issue reads. Needs <c>AddData</c> and <c>AddGitHub</c>.
    /// </summary>
    public static IHostApplicationBuilder AddIssues(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<IssueStore>();
        builder.Services.AddScoped<IssueIndex>();
        builder.Services.AddScoped<LinkedIssueFetcher>();
        // Replaces the tools' GitHub-only lookup (registered with TryAdd, whichever runs first).
        builder.Services.AddScoped<Tools.IIssueLookup, IndexedIssueLookup>();
        builder.Services.AddScoped<IRepositorySyncTask, IssueBackfill>();
        return builder;
    }
}
