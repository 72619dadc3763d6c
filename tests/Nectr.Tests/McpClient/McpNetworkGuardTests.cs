using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.McpClient;
using static Nectr.Tests.McpClient.McpTestKit;

namespace Nectr.Tests.McpClient;

/// <summary>
/// The SSRF guard on every MCP connect: internal addresses, however spelled, and names that resolve to them are
/// refused before any socket is opened (counted twice: the guard's connect hook and a loopback listener's accepts),
/// and a redirect is never followed.
/// </summary>
public sealed class McpNetworkGuardTests
{
    public static TheoryData<string> InternalHosts => new()
    {
        "127.0.0.1", "10.0.0.1", "169.254.169.254", "[::1]", "[::ffff:127.0.0.1]", "2130706433", "0177.0.0.1", "0x7f.0.0.1", "localhost",
    };

    [Theory]
    [MemberData(nameof(InternalHosts))]
    public async Task An_internal_address_is_refused_without_opening_a_connection(string host)
    {
        await using var listener = new RawServer((_, _, _) => Task.CompletedTask);
        var connects = 0;
        var guard = new McpNetworkGuard(allowPrivate: false) { Connect = (_, _) => { Interlocked.Increment(ref connects); return ValueTask.FromException<Stream>(new SocketException()); } };
        using var connector = Connector(guard);

        var server = new McpServerSettings("Target", McpServerKind.Other, new Uri($"http://{host}:{listener.Port}/mcp"), null, [], null, new Dictionary<string, McpRole>());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connector.ConnectAsync(server, Ct));

        Assert.StartsWith("refused: ", McpServers.Describe(error), StringComparison.Ordinal);
        Assert.Equal(0, connects);
        Assert.Equal(0, listener.Accepted);
    }

    [Fact]
    public async Task A_redirect_to_loopback_is_not_followed()
    {
        // The redirect's target: a loopback listener that must never see a connection.
        await using var target = new RawServer((_, _, _) => Task.CompletedTask);
        await using var redirector = new RawServer(async (server, stream, ct) =>
        {
            await server.ReadHeadAsync(stream, ct);
            var answer = $"HTTP/1.1 307 Temporary Redirect\r\nLocation: http://localhost:{target.Port}/mcp\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer), ct);
        });

        // Only the redirecting server's own address is let through the guard, as if it were public.
        var connects = new List<IPEndPoint>();
        var guard = new McpNetworkGuard(allowPrivate: false)
        {
            Exempt = ep => ep.Port == redirector.Port && IPAddress.IsLoopback(ep.Address),
            Connect = async (ep, ct) =>
            {
                lock (connects)
                {
                    connects.Add(ep);
                }

                var socket = new Socket(ep.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                await socket.ConnectAsync(ep, ct);
                return new NetworkStream(socket, ownsSocket: true);
            },
        };
        using var connector = Connector(guard);

        var server = new McpServerSettings("Redirecting", McpServerKind.Other, new Uri(redirector.Url), null, [], null, new Dictionary<string, McpRole>());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connector.ConnectAsync(server, Ct));

        Assert.NotEqual("timeout", McpServers.Describe(error));
        Assert.True(redirector.Accepted > 0);
        Assert.Equal(0, target.Accepted);
        Assert.DoesNotContain(connects, ep => ep.Port == target.Port);
    }

    [Theory]
    [InlineData("93.184.216.34", false)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("0.0.0.0", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.31.255.255", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("224.0.0.1", true)]
    [InlineData("255.255.255.255", true)]
    [InlineData("::", true)]
    [InlineData("fc00::1", true)]
    [InlineData("fd12:3456::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("ff02::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("::ffff:169.254.169.254", true)]
    [InlineData("64:ff9b::7f00:1", true)]
    [InlineData("2002:7f00:1::", true)]
    public void Internal_addresses_are_told_from_public_ones(string address, bool isInternal) =>
        Assert.Equal(isInternal, McpNetworkGuard.IsInternal(IPAddress.Parse(address)));

    [Fact]
    public async Task With_MCP_ALLOW_PRIVATE_a_loopback_server_is_reached()
    {
        await using var server = new RawServer(async (s, stream, ct) =>
        {
            await s.ReadHeadAsync(stream, ct);
            await stream.WriteAsync("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"u8.ToArray(), ct);
        });
        using var connector = Connector(new McpNetworkGuard(allowPrivate: true));

        var settings = new McpServerSettings("Local", McpServerKind.Other, new Uri(server.Url), null, [], null, new Dictionary<string, McpRole>());
        var error = await Assert.ThrowsAnyAsync<Exception>(() => connector.ConnectAsync(settings, Ct));

        Assert.DoesNotContain("refused", McpServers.Describe(error), StringComparison.Ordinal);
        Assert.True(server.Accepted > 0);
    }

    private static McpConnector Connector(McpNetworkGuard guard) =>
        new(Options.Create(new McpOptions { CallTimeoutText = "5", AllowPrivateText = "false" }), guard);
}
