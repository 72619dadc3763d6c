using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace Nectr.McpServer;

/// <summary>
/// A caller's mistake (an argument of the wrong type, a malformed or invisible repository) is an expected outcome: the
/// caller gets a tool error that says what to fix, and the log gets one line, not the SDK's error with a stack trace.
/// Anything else still reaches the SDK, which reports it as a failure.
/// </summary>
internal static partial class McpToolErrors
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (context, cancellationToken) =>
        {
            try
            {
                return await next(context, cancellationToken);
            }
            catch (Exception ex) when (Message(ex) is { } message)
            {
                var tool = context.Params?.Name ?? "";
                var logger = context.Services?.GetService<ILoggerFactory>()?.CreateLogger(typeof(McpToolErrors).FullName!);
                Log.Refused(logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Printable(tool), message);
                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = message }] };
            }
        };

    private static string? Message(Exception ex) => ex switch
    {
        McpProtocolException => null, // a protocol error the SDK answers as a JSON-RPC error
        McpException mcp => Printable(mcp.Message),
        JsonException => "An argument has the wrong type: see the tool's input schema (tools/list).",
        _ => null,
    };

    /// <summary>
    /// Control characters (a NUL from a hostile caller) never reach a log line or an answer; each is shown as its escape
    /// (<c>\u0000</c>), so the caller sees what was wrong with the value rather than a name that looks valid.
    /// </summary>
    internal static string Printable(string text) =>
        text.Any(char.IsControl) ? string.Concat(text.Select(c => char.IsControl(c) ? "\\u" + ((int)c).ToString("x4", System.Globalization.CultureInfo.InvariantCulture) : c.ToString())) : text;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "MCP tool {Tool} refused its arguments: {Reason}")]
        public static partial void Refused(ILogger logger, string tool, string reason);
    }
}
