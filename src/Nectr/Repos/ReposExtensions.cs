using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Repos;

internal static class ReposExtensions
{
    /// <summary>Listing, connecting and disconnecting repositories with the signed-in user's GitHub token.</summary>
    public static IHostApplicationBuilder AddRepos(this IHostApplicationBuilder builder, NectrOptions options)
    {
        // No auth, rate-limit or ETag handlers: the token is the user's, added per request, and so is the rate limit.
        builder.Services.AddHttpClient(UserGitHubFactory.HttpClientName, http => GitHubExtensions.ConfigureDefaults(http, options));
        builder.Services.AddSingleton<UserGitHubFactory>();
        builder.Services.AddSingleton<RepoDirectory>();
        builder.Services.AddSingleton<RepoConnections>();
        return builder;
    }
}
