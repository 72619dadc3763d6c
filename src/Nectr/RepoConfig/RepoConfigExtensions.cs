namespace Nectr.RepoConfig;

internal static class RepoConfigExtensions
{
    /// <summary>.nectr.yml from the default branch, the dashboard's overrides, and the notice of an unusable file.</summary>
    public static IHostApplicationBuilder AddRepoConfig(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<ParsedConfigCache>();
        builder.Services.AddScoped<RepoConfigLoader>(); // on the job's scoped GitHub client and retry budget
        builder.Services.AddSingleton<RepoSettingsService>();
        return builder;
    }

    public static IEndpointRouteBuilder MapRepoConfig(this IEndpointRouteBuilder app) => app.MapRepoSettings();
}
