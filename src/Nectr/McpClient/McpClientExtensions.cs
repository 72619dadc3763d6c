using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.McpClient;

internal static class McpClientExtensions
{
    /// <summary>
    /// The MCP client: the configured servers' state for Settings (singleton) and one client per review (scoped), with
    /// the network guard on every HTTP connect. Needs the database (tool pins); with no server configured the review
    /// context stays as it was, without a gap.
    /// </summary>
    public static IHostApplicationBuilder AddMcpClient(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new McpNetworkGuard(sp.GetRequiredService<IOptions<McpOptions>>().Value.AllowPrivate));
        services.TryAddSingleton<McpConnector>();
        services.TryAddSingleton<McpPins>();
        services.TryAddSingleton<McpServers>();
        services.TryAddSingleton<IMcpServerStates>(sp => sp.GetRequiredService<McpServers>());
        services.TryAddScoped<IMcpReviewContext, McpReviewSession>();
        return builder;
    }
}
