using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Nectr.McpClient;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Jobs;
using static Nectr.Tests.McpClient.McpTestKit;

namespace Nectr.Tests.McpClient;

/// <summary>
/// Servers that hang, flood or answer garbage cost at most their timeout or byte cap and become a gap in the
/// review's coverage, never an exception; tokens go to their own server only and appear nowhere else.
/// </summary>
public sealed class McpFailureTests
{
    private const string LinearToken = "lin_api_NECTR-SEEKRIT-7f3a91";
    private const string SentryToken = "sntrys_NECTR-SEEKRIT-c0ffee";

    [Fact]
    public async Task A_server_that_hangs_costs_its_timeout_and_becomes_a_gap()
    {
        await using var hanging = new RawServer(async (server, stream, ct) =>
        {
            await server.ReadHeadAsync(stream, ct);
            await Task.Delay(Timeout.Infinite, ct); // never answers
        });
        var gathered = await GatherFromAsync(hanging, "Sentry");

        Assert.Empty(gathered.Blocks);
        Assert.Equal(new Engine.Context.ContextGap("Sentry", "unavailable: timeout"), Assert.Single(gathered.Gaps));
    }

    [Fact]
    public async Task A_server_answering_a_gigabyte_is_cut_off_at_the_byte_cap()
    {
        long sent = 0;
        await using var flooding = new RawServer(async (server, stream, ct) =>
        {
            await server.ReadHeadAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"u8.ToArray(), ct);

            // 1 GB, produced lazily one 64 KB chunk at a time: the client's refusal to read on ends it.
            var chunk = Encoding.ASCII.GetBytes($"{64 * 1024:x}\r\n" + new string(' ', 64 * 1024) + "\r\n");
            for (var i = 0; i < 16 * 1024; i++)
            {
                await stream.WriteAsync(chunk, ct);
                Interlocked.Add(ref sent, 64 * 1024);
            }
        });
        var gathered = await GatherFromAsync(flooding, "Sentry");

        Assert.Empty(gathered.Blocks);
        Assert.Equal(new Engine.Context.ContextGap("Sentry", "unavailable: answer larger than 4 MB"), Assert.Single(gathered.Gaps));
        Assert.True(Interlocked.Read(ref sent) < 256L * 1024 * 1024, $"the server got to send {Interlocked.Read(ref sent)} bytes");
    }

    [Fact]
    public async Task A_server_answering_invalid_JSON_RPC_becomes_a_gap()
    {
        await using var garbage = new RawServer(async (server, stream, ct) =>
        {
            await server.ReadHeadAsync(stream, ct);
            var body = "{\"jsonrpc\": \"2.0\", \"this is\": not json"u8.ToArray();
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), ct);
            await stream.WriteAsync(body, ct);
        });
        var gathered = await GatherFromAsync(garbage, "Sentry");

        Assert.Empty(gathered.Blocks);
        var gap = Assert.Single(gathered.Gaps);
        Assert.Equal("Sentry", gap.Source);
        Assert.StartsWith("unavailable: ", gap.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Each_token_goes_to_its_own_server_and_appears_in_no_block_gap_log_or_view()
    {
        // Both servers answer garbage that quotes the request's head, Authorization included.
        static Func<RawServer, NetworkStream, CancellationToken, Task> Echoing() => async (server, stream, ct) =>
        {
            var head = await server.ReadHeadAsync(stream, ct);
            var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new { error = head }));
            await stream.WriteAsync(Encoding.ASCII.GetBytes($"HTTP/1.1 500 Oops {head.Replace("\r\n", " ", StringComparison.Ordinal)}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"), ct);
            await stream.WriteAsync(body, ct);
        };
        await using var linear = new RawServer(Echoing());
        await using var sentry = new RawServer(Echoing());
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var logs = new LogRecorder();
        using var host = await HostAsync(
            database,
            [("LINEAR_MCP_URL", linear.Url), ("LINEAR_API_KEY", LinearToken), ("SENTRY_MCP_URL", sentry.Url), ("SENTRY_AUTH_TOKEN", SentryToken), ("MCP_ALLOW_PRIVATE", "true"), ("MCP_CALL_TIMEOUT_SECONDS", "5")],
            logs);

        var gathered = await GatherFromHostAsync(host);
        string answer;
        await using (var scope = host.Services.CreateAsyncScope())
        {
            answer = (await scope.ServiceProvider.GetRequiredService<IMcpReviewContext>().AskAsync(McpRole.Tracker, "login", Ct)).Text;
        }

        var views = JsonSerializer.Serialize(await host.Services.GetRequiredService<IMcpServerStates>().ListAsync(Ct));

        Assert.Contains(linear.Heads, h => h.Contains("Authorization: Bearer " + LinearToken, StringComparison.OrdinalIgnoreCase));
        Assert.Contains(sentry.Heads, h => h.Contains("Authorization: Bearer " + SentryToken, StringComparison.OrdinalIgnoreCase));
        Assert.DoesNotContain(linear.Heads, h => h.Contains("SEEKRIT-c0ffee", StringComparison.Ordinal));
        Assert.DoesNotContain(sentry.Heads, h => h.Contains("SEEKRIT-7f3a91", StringComparison.Ordinal));

        Assert.Equal(2, gathered.Gaps.Count);
        var everything = string.Join("\n", [
            .. gathered.Blocks.Select(b => b.Title + b.Text), .. gathered.Gaps.Select(g => g.Source + g.Reason), answer, views,
            .. logs.Entries.Select(e => e.Message), host.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Nectr.Configuration.McpOptions>>().Value.Servers[0].ToString()]);
        Assert.DoesNotContain("SEEKRIT", everything, StringComparison.Ordinal);
    }

    private static async Task<McpReviewContext> GatherFromAsync(RawServer server, string name)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var file = ServersFile(new { name, url = server.Url });
        using var host = await HostAsync(database, [("MCP_SERVERS_FILE", file), ("MCP_ALLOW_PRIVATE", "true"), ("MCP_CALL_TIMEOUT_SECONDS", "1")]);
        return await GatherFromHostAsync(host);
    }

    private static Task<McpReviewContext> GatherFromHostAsync(Microsoft.Extensions.Hosting.IHost host) => GatherAsync(host);
}
