using Microsoft.Extensions.DependencyInjection;
using Nectr.McpClient;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.McpClient.McpTestKit;

namespace Nectr.Tests.McpClient;

/// <summary>
/// The client against the reference server (@modelcontextprotocol/server-everything, tests/node) over stdio and over
/// Streamable HTTP on loopback: the real handshake, the tool list, and a call whose answer becomes a review block.
/// </summary>
public sealed class McpEverythingTests
{
    /// <summary>
    /// These tests show the handshake and a call, not the timeout (McpFailureTests does): starting Node and the reference
    /// server can pass the default 10 s on a busy 2-core machine, which would read as a gap, not as a failure of the client.
    /// </summary>
    private static readonly (string, string) SlowStartAllowance = ("MCP_CALL_TIMEOUT_SECONDS", "25");

    [Fact]
    public async Task Over_stdio_the_handshake_works_tools_are_listed_and_a_call_returns()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var file = ServersFile(new { name = "everything", command = Node, args = new[] { Everything, "stdio" }, roles = new Dictionary<string, string> { ["echo"] = "tracker" } });
        using var host = await HostAsync(database, [("MCP_SERVERS_FILE", file), SlowStartAllowance]);

        await AssertServesAsync(host, "everything");
    }

    [Fact]
    public async Task Over_streamable_HTTP_the_handshake_works_tools_are_listed_and_a_call_returns()
    {
        var port = FreePort();
        await using var server = await NodeProcess.StartAsync("everything-http.mjs", "listening on port", ("PORT", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var file = ServersFile(new { name = "everything-http", url = $"http://127.0.0.1:{port}/mcp", roles = new Dictionary<string, string> { ["echo"] = "tracker" } });
        using var host = await HostAsync(database, [("MCP_SERVERS_FILE", file), ("MCP_ALLOW_PRIVATE", "true"), SlowStartAllowance]);

        await AssertServesAsync(host, "everything-http");
    }

    private static async Task AssertServesAsync(Microsoft.Extensions.Hosting.IHost host, string name)
    {
        var gathered = await GatherAsync(host);

        Assert.Empty(gathered.Gaps);
        var block = Assert.Single(gathered.Blocks);
        Assert.Equal(Engine.Prompts.ContextKind.Mcp, block.Kind);
        Assert.Equal($"{name}: tasks for \"ABC-12\" (echo)", block.Title);
        Assert.Contains("ABC-12", block.Text, StringComparison.Ordinal);

        var view = Assert.Single(await host.Services.GetRequiredService<IMcpServerStates>().ListAsync(Ct));
        Assert.True(view.Connected);
        Assert.Null(view.LastError);
        Assert.NotNull(view.CheckedAt);
        Assert.Contains(view.Tools, t => t is { Name: "echo", Role: McpRole.Tracker, Pin: McpPinState.Accepted });
        Assert.Contains(view.Tools, t => t.Name == "get-sum" && t.Role is null);

        // The model's tool asks the same server with its own text.
        await using var scope = host.Services.CreateAsyncScope();
        var client = scope.ServiceProvider.GetRequiredService<IMcpReviewContext>();
        Assert.True(client.Serves(McpRole.Tracker));
        Assert.False(client.Serves(McpRole.Discussion));
        var answer = await client.AskAsync(McpRole.Tracker, "login redirect loop", Ct);
        Assert.True(answer.Answered);
        Assert.Contains("login redirect loop", answer.Text, StringComparison.Ordinal);
    }
}
