using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Knowledge;
using Nectr.McpClient;

namespace Nectr.Tools;

internal static class ToolsExtensions
{
    /// <summary>
    /// The model's read-only tools: one <see cref="ReviewTools"/> per review scope, issues from GitHub, and, where the
    /// host has a database, file history and memory search; where the MCP client is registered, its three tools. Needs <c>AddGitHub</c>.
    /// </summary>
    public static IHostApplicationBuilder AddReviewTools(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddScoped<IIssueLookup, GitHubIssueLookup>();
        services.TryAddScoped(sp =>
        {
            var dbs = sp.GetService<IDbContextFactory<NectrDb>>();
            return new ReviewTools(
                sp.GetRequiredService<IOptions<ReviewToolOptions>>(),
                sp.GetRequiredService<IGitHubApi>(),
                sp.GetRequiredService<IIssueLookup>(),
                sp.GetRequiredService<ILogger<ReviewToolbox>>(),
                dbs is null ? null : new FileHistory(dbs),
                dbs is null ? null : new MemorySearch(dbs),
                sp.GetService<IMcpReviewContext>());
        });
        return builder;
    }
}
