using System.Net.Http.Headers;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Jobs;

namespace Nectr.GitHub;

internal static class GitHubExtensions
{
    public static IHostApplicationBuilder AddGitHub(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddRetryBudget();
        services.AddSingleton<GitHubTokenSource>();
        // Nectr as a GitHub App (when configured): its credentials, and installation tokens fetched with its JWT on a
        // client of its own, outside the token handler the other clients use.
        services.AddSingleton<GitHubApp.GitHubAppCredentials>();
        services.AddSingleton<GitHubApp.InstallationTokens>();
        services.AddHttpClient(GitHubApp.InstallationTokens.ClientName, (sp, http) => ConfigureDefaults(http, sp.GetRequiredService<IOptions<GitHubOptions>>().Value));
        services.AddSingleton<RateLimitGate>();
        services.AddSingleton<ETagCache>();
        services.AddTransient<GitHubAuthHandler>();
        services.AddTransient<RateLimitHandler>();
        services.AddTransient<ETagCacheHandler>();
        // Outermost first: a token on every request; the rate-limit gate around everything else; the read retries inside
        // it (rate-limit waits, then transient failures), so each retry is revalidated with its ETag.
        services.AddHttpClient<IGitHubApi, GitHubApi>((sp, http) =>
            {
                ConfigureDefaults(http, sp.GetRequiredService<IOptions<GitHubOptions>>().Value);
                http.Timeout = GitHubResilience.CallTimeout;
            })
            .AddHttpMessageHandler<GitHubAuthHandler>()
            .AddHttpMessageHandler<RateLimitHandler>()
            .AddGitHubReadRetries()
            .AddHttpMessageHandler<ETagCacheHandler>();
        services.AddSingleton<NectrIdentity>();
        services.AddHttpClient(NectrIdentity.ClientName, (sp, http) => ConfigureDefaults(http, sp.GetRequiredService<IOptions<GitHubOptions>>().Value))
            .AddHttpMessageHandler<GitHubAuthHandler>()
            .AddHttpMessageHandler<RateLimitHandler>()
            .AddGitHubRateLimitRetries(GitHubResilience.IdentityPipelineName);
        // Dashboard reads outside any job: each lookup in its own scope, so each gets a first-attempt retry budget.
        services.AddSingleton(sp => new PullRequestStateCache(
            new ScopedGitHubApi(sp.GetRequiredService<IServiceScopeFactory>()), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<PullRequestStateCache>>()));
        return builder;
    }

    /// <summary>What every GitHub client sends, whoever's token it carries: API base, User-Agent, media type, API version.</summary>
    internal static void ConfigureDefaults(HttpClient http, GitHubOptions options)
    {
        http.BaseAddress = options.ApiUrl;
        http.Timeout = TimeSpan.FromSeconds(60);
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Nectr", typeof(GitHubApi).Assembly.GetName().Version?.ToString(3) ?? "0"));
        http.DefaultRequestHeaders.Accept.ParseAdd("application/vnd.github+json");
        http.DefaultRequestHeaders.Add("X-GitHub-Api-Version", "2022-11-28");
    }
}
