using System.Net.Http.Headers;
using Nectr.Configuration;

namespace Nectr.GitHub;

internal static class GitHubExtensions
{
    public static IHostApplicationBuilder AddGitHub(this IHostApplicationBuilder builder, NectrOptions options)
    {
        var services = builder.Services;
        services.AddSingleton<GitHubTokenSource>();
        services.AddSingleton<RateLimitGate>();
        services.AddSingleton<ETagCache>();
        services.AddSingleton<PullRequestStateCache>();
        services.AddTransient<GitHubAuthHandler>();
        services.AddTransient<RateLimitHandler>();
        services.AddTransient<ETagCacheHandler>();
        services.AddHttpClient<IGitHubApi, GitHubApi>(http =>
            {
                http.BaseAddress = options.GitHubApiUrl;
                http.Timeout = TimeSpan.FromSeconds(60);
                http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Nectr", typeof(GitHubApi).Assembly.GetName().Version?.ToString(3) ?? "0"));
                http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.github+json");
                http.DefaultRequestHeaders.Add("X-GitHub-Api-Version", "2022-11-28");
            })
            .AddHttpMessageHandler<GitHubAuthHandler>()
            .AddHttpMessageHandler<RateLimitHandler>()
            .AddHttpMessageHandler<ETagCacheHandler>();
        return builder;
    }
}
