namespace Nectr.Sync;

internal static class SyncExtensions
{
    /// <summary>
    /// The repository sync queue and its runner (a hosted service that runs nothing when <c>SYNC_CONCURRENCY</c> is 0).
    /// Features add their <see cref="IRepositorySyncTask"/> as scoped services. Needs <c>AddData</c>, <c>AddGitHub</c>, <c>AddJobs</c>.
    /// </summary>
    public static IHostApplicationBuilder AddSync(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SyncQueue>();
        builder.Services.AddSingleton<SyncSignal>();
        builder.Services.AddSingleton<RepositorySync>();
        builder.Services.AddSingleton<SyncRunner>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SyncRunner>());
        return builder;
    }
}
