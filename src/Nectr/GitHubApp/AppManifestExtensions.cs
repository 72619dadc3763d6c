using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.GitHubApp;

/// <summary>Onboarding as a GitHub App: installation events (applied by intake) and the dashboard's manifest flow.</summary>
internal static class AppManifestExtensions
{
    public static IHostApplicationBuilder AddAppOnboarding(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<Installations>();
        builder.Services.AddSingleton<InstallationsLinks>();
        builder.Services.AddSingleton<AppManifestState>();
        builder.Services.AddSingleton<AppManifestStore>();
        builder.Services.AddHttpClient<AppManifestConversion>(AppManifestConversion.HttpClientName, (services, http) =>
        {
            GitHubExtensions.ConfigureDefaults(http, services.GetRequiredService<IOptions<GitHubOptions>>().Value);
            http.Timeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }

    public static IEndpointRouteBuilder MapAppOnboarding(this IEndpointRouteBuilder app) => app.MapAppManifest();
}
