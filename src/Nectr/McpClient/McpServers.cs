using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using Nectr.Configuration;
using SdkClient = ModelContextProtocol.Client.McpClient;

namespace Nectr.McpClient;

/// <summary>
/// The configured MCP servers and what the last connect to each found (kept in memory: Settings shows it without
/// reconnecting; a server not checked for <see cref="Stale"/> is connected again, bounded by the call timeout).
/// Every connect checks the tools' definitions against their pins, so a changed tool is never offered to a review.
/// </summary>
internal sealed partial class McpServers(
    IOptions<McpOptions> options,
    McpConnector connector,
    McpPins pins,
    TimeProvider time,
    ILogger<McpServers> logger) : IMcpServerStates
{
    /// <summary>How long Settings trusts the last connect's state.</summary>
    internal static readonly TimeSpan Stale = TimeSpan.FromMinutes(10);

    private readonly ConcurrentDictionary<string, McpServerView> states = new(StringComparer.OrdinalIgnoreCase);

    public IReadOnlyList<McpServerSettings> Configured => options.Value.Servers;

    /// <summary>
    /// Connects to <paramref name="server"/> within the call timeout and returns the session with the tools a review may
    /// call (a role, a plan for its arguments, an accepted pin), or Nectr's reason it could not.
    /// </summary>
    public async Task<McpSession> ConnectAsync(McpServerSettings server, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.CallTimeout);
        SdkClient? client = null;
        try
        {
            (client, var tools) = await connector.ConnectAsync(server, timeout.Token);
            var definitions = tools.Select(t => McpToolDefinition.Of(t.Name, t.ProtocolTool.Description, t.ProtocolTool.InputSchema, t.ProtocolTool.OutputSchema)).ToList();
            var pinned = await pins.CheckAsync(server.Name, definitions, timeout.Token);
            var views = new List<McpToolView>();
            var usable = new List<McpToolPlan>();
            var changed = new List<string>();
            foreach (var tool in tools.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                var plan = McpRoles.Plan(server, tool.Name, tool.ProtocolTool.InputSchema);
                var pin = pinned.GetValueOrDefault(tool.Name) ?? new McpToolPin(McpPinState.Changed, "name too long to pin");
                views.Add(new McpToolView(tool.Name, plan?.Role, pin.State, pin.ChangeSummary));
                if (plan is not null && pin.State == McpPinState.Accepted)
                {
                    usable.Add(plan);
                }
                else if (plan is not null)
                {
                    changed.Add(tool.Name);
                    Log.ToolChanged(logger, server.Name, tool.Name, pin.ChangeSummary ?? "");
                }
            }

            Record(server, connected: true, null, views);
            var session = new McpSession(server, client, [.. usable.OrderBy(p => McpRoles.Preference(p.Tool))]) { Changed = changed };
            client = null;
            return session;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = Describe(ex);
            Log.Unavailable(logger, server.Name, reason);
            Record(server, connected: false, reason, states.TryGetValue(server.Name, out var last) ? last.Tools : []);
            return new McpSession(server, null, [], reason);
        }
        finally
        {
            if (client is not null)
            {
                await client.DisposeAsync();
            }
        }
    }

    /// <summary>Whether a server was last seen offering an accepted tool for <paramref name="role"/>; before its first connect, what its kind usually offers.</summary>
    public bool MayServe(McpServerSettings server, McpRole role)
    {
        if (states.TryGetValue(server.Name, out var view) && view.CheckedAt is not null && view.Connected)
        {
            return view.Tools.Any(t => t.Role == role && t.Pin == McpPinState.Accepted);
        }

        return server.Roles.Values.Contains(role) || (server.Kind, role) is (McpServerKind.Linear, McpRole.Tracker) or (McpServerKind.Sentry, McpRole.Errors) or (McpServerKind.Slack, McpRole.Discussion);
    }

    public async Task<IReadOnlyList<McpServerView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await Task.WhenAll(Configured
            .Where(s => !states.TryGetValue(s.Name, out var view) || view.CheckedAt is not { } at || now - at > Stale)
            .Select(async s =>
            {
                await using var session = await ConnectAsync(s, cancellationToken);
            }));

        var views = new List<McpServerView>();
        foreach (var server in Configured)
        {
            var view = states.GetValueOrDefault(server.Name) ?? new McpServerView(server.Name, server.Endpoint, false, null, null, []);

            // Pins change when someone accepts; the tools' roles are the last connect's.
            var pinned = await pins.ForServerAsync(server.Name, cancellationToken);
            views.Add(view with
            {
                Tools = [.. view.Tools.Select(t => pinned.TryGetValue(t.Name, out var pin) ? t with { Pin = pin.State, ChangeSummary = pin.ChangeSummary } : t)],
            });
        }

        return views;
    }

    public async Task<bool> AcceptAsync(string server, string tool, long acceptedByUserId, CancellationToken cancellationToken)
    {
        if (!Configured.Any(s => string.Equals(s.Name, server, StringComparison.Ordinal)))
        {
            return false;
        }

        var accepted = await pins.AcceptAsync(server, tool, acceptedByUserId, cancellationToken);
        if (accepted && states.TryGetValue(server, out var view))
        {
            states[server] = view with { Tools = [.. view.Tools.Select(t => t.Name == tool ? t with { Pin = McpPinState.Accepted, ChangeSummary = null } : t)] };
        }

        if (accepted)
        {
            Log.Accepted(logger, server, tool, acceptedByUserId);
        }

        return accepted;
    }

    private void Record(McpServerSettings server, bool connected, string? error, IReadOnlyList<McpToolView> tools) =>
        states[server.Name] = new McpServerView(server.Name, server.Endpoint, connected, time.GetUtcNow(), error, tools);

    /// <summary>What went wrong in Nectr's words: never the exception's text, which can quote a URL, a header or the server's answer.</summary>
    internal static string Describe(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case McpBlockedException blocked:
                    return "refused: " + blocked.Reason;
                case McpResponseTooLargeException:
                    return $"answer larger than {McpConnector.ResponseByteCap / (1024 * 1024)} MB";
                case OperationCanceledException or TimeoutException:
                    return "timeout";
                case HttpRequestException { StatusCode: { } status }:
                    return $"HTTP {(int)status}";
            }
        }

        return ex switch
        {
            McpProtocolException or McpException or JsonException or InvalidOperationException or FormatException => "invalid answer",
            HttpRequestException or IOException or System.Net.Sockets.SocketException => "not reachable",
            System.ComponentModel.Win32Exception => "command could not be started",
            _ => "failed (" + ex.GetType().Name + ")",
        };
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "MCP server {Server} is unavailable: {Reason}")]
        public static partial void Unavailable(ILogger logger, string server, string reason);

        [LoggerMessage(2, LogLevel.Warning, "MCP server {Server} changed the definition of tool {Tool} ({Summary}); it is not used until accepted in Settings")]
        public static partial void ToolChanged(ILogger logger, string server, string tool, string summary);

        [LoggerMessage(3, LogLevel.Information, "MCP server {Server}: user {UserId} accepted the new definition of tool {Tool}")]
        public static partial void Accepted(ILogger logger, string server, string tool, long userId);
    }
}

/// <summary>One open session with a server (or the reason there is none) and the tools a review may call on it.</summary>
internal sealed class McpSession(McpServerSettings server, SdkClient? client, IReadOnlyList<McpToolPlan> tools, string? problem = null) : IAsyncDisposable
{
    public McpServerSettings Server => server;

    public SdkClient? Client => client;

    public IReadOnlyList<McpToolPlan> Tools => tools;

    /// <summary>Tools with a role that are not used because their definition changed since it was pinned.</summary>
    public IReadOnlyList<string> Changed { get; init; } = [];

    /// <summary>Why there is no session ("timeout", "refused: …"); null when connected.</summary>
    public string? Problem => problem;

    public ValueTask DisposeAsync() => client?.DisposeAsync() ?? ValueTask.CompletedTask;
}
