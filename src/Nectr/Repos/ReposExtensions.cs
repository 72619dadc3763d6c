using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Repos;

internal static class ReposExtensions
{
    /// <summary>Listing, connecting and disconnecting repositories with the signed-in user's GitHub token.</summary>
    public static IHostApplicationBuilder AddRepos(this IHostApplicationBuilder builder)
    {
        // No auth, rate-limit or ETag handlers: the token is the user's, added per request, and so is the rate limit.
        builder.Services.AddHttpClient(UserGitHubFactory.HttpClientName, (services, http) => GitHubExtensions.ConfigureDefaults(http, services.GetRequiredService<IOptions<GitHubOptions>>().Value));
        builder.Services.AddSingleton<UserGitHubFactory>();
        builder.Services.AddSingleton<RepoDirectory>();
        builder.Services.AddSingleton<RepoConnections>();
        return builder;
    }
}
