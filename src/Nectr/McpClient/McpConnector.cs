using System.Collections.Concurrent;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Client;
using Nectr.Configuration;
using SdkClient = ModelContextProtocol.Client.McpClient;

namespace Nectr.McpClient;

/// <summary>
/// Opens an MCP session with one configured server: Streamable HTTP, falling back to legacy SSE (the SDK's auto
/// detection), through <see cref="McpNetworkGuard"/> and <see cref="McpHttpBounds"/>; or a local process over stdio
/// that inherits none of Nectr's environment (its tokens stay here). The SDK's own logging is off: it would see
/// requests and answers, and nothing from a server reaches Nectr's log except its name and Nectr's reason.
/// </summary>
internal sealed class McpConnector(IOptions<McpOptions> options, McpNetworkGuard guard) : IDisposable
{
    /// <summary>Bytes of one HTTP answer: room for a tool list and a few results at the result cap, far from a flood.</summary>
    internal const long ResponseByteCap = 4L * 1024 * 1024;

    private readonly ConcurrentDictionary<string, HttpMessageHandler> handlers = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The handshake (<c>initialize</c>) and the tool list, within <paramref name="cancellationToken"/>.</summary>
    public async Task<(SdkClient Client, IList<McpClientTool> Tools)> ConnectAsync(McpServerSettings server, CancellationToken cancellationToken)
    {
        var clientOptions = new McpClientOptions
        {
            ClientInfo = new() { Name = "nectr", Version = typeof(McpConnector).Assembly.GetName().Version?.ToString() ?? "1.0" },
            InitializationTimeout = options.Value.CallTimeout,
        };
        var client = await SdkClient.CreateAsync(Transport(server), clientOptions, NullLoggerFactory.Instance, cancellationToken);
        try
        {
            var tools = await client.ListToolsAsync(cancellationToken: cancellationToken);
            return (client, tools);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    private IClientTransport Transport(McpServerSettings server)
    {
        if (server.Url is { } url)
        {
            var handler = handlers.GetOrAdd(server.Name, _ => new McpHttpBounds(url, server.Token, ResponseByteCap) { InnerHandler = guard.CreateHandler() });
            var http = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
            return new HttpClientTransport(
                new HttpClientTransportOptions
                {
                    Endpoint = url,
                    Name = server.Name,
                    TransportMode = HttpTransportMode.AutoDetect,
                    ConnectionTimeout = options.Value.CallTimeout,
                    MaxReconnectionAttempts = 0,
                },
                http,
                NullLoggerFactory.Instance,
                ownsHttpClient: true);
        }

        return new StdioClientTransport(
            new StdioClientTransportOptions
            {
                Command = server.Command!,
                Arguments = [.. server.Args],
                Name = server.Name,
                InheritEnvironmentVariables = false,
                ShutdownTimeout = TimeSpan.FromSeconds(2),
            },
            NullLoggerFactory.Instance);
    }

    public void Dispose()
    {
        foreach (var handler in handlers.Values)
        {
            handler.Dispose();
        }
    }
}
