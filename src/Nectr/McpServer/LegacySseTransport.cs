using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;
using Nectr.ApiTokens;

namespace Nectr.McpServer;

/// <summary>
/// The 2024-11-05 "HTTP with SSE" transport at <c>GET /mcp/sse</c> + <c>POST /mcp/messages?sessionId=…</c>, for older
/// clients. The SDK serves this only from a stateful mapping of its own (<c>/sse</c> + <c>/message</c>, and not beside a
/// stateless <c>/mcp</c>), so Nectr runs the SDK's <see cref="SseResponseStreamTransport"/> and server here. A session
/// lives as long as its GET; only the token that opened it may post into it.
/// </summary>
internal sealed partial class LegacySseTransport(
    IOptions<McpServerOptions> serverOptions, IHostApplicationLifetime lifetime, ILoggerFactory loggerFactory, ILogger<LegacySseTransport> logger)
{
    /// <summary>
    /// Open sessions one API token may hold. A session lives as long as its GET, and the per-minute rate limit counts
    /// only openings, so without a cap one token could pile up thousands of idle sessions, each with a server of its own.
    /// A person's agents (a desktop app, an editor, a CLI) need a few.
    /// </summary>
    public const int MaxSessionsPerToken = 10;

    private readonly ConcurrentDictionary<string, Session> _sessions = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _openPerToken = new(StringComparer.Ordinal);

    public async Task StreamAsync(HttpContext context)
    {
        var tokenId = context.User.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value
            ?? throw new InvalidOperationException("An SSE session opened without an API token.");
        if (_openPerToken.AddOrUpdate(tokenId, 1, (_, open) => open + 1) > MaxSessionsPerToken)
        {
            Release(tokenId);
            Log.TooMany(logger, tokenId, MaxSessionsPerToken);
            context.Response.Headers.RetryAfter = "60";
            await TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many SSE sessions",
                detail: $"This API token already holds {MaxSessionsPerToken} open SSE sessions; close one (or use the Streamable HTTP transport at /mcp, which keeps none open).")
                .ExecuteAsync(context);
            return;
        }

        try
        {
            await RunSessionAsync(context, tokenId);
        }
        finally
        {
            Release(tokenId);
        }
    }

    private void Release(string tokenId)
    {
        if (_openPerToken.AddOrUpdate(tokenId, 0, (_, open) => open - 1) <= 0)
        {
            _openPerToken.TryRemove(new KeyValuePair<string, int>(tokenId, 0));
        }
    }

    private async Task RunSessionAsync(HttpContext context, string tokenId)
    {
        var sessionId = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, lifetime.ApplicationStopping);

        context.Response.Headers.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache,no-store";
        context.Response.Headers["X-Accel-Buffering"] = "no"; // nginx and friends would hold the events back
        context.Features.GetRequiredFeature<IHttpResponseBodyFeature>().DisableBuffering();

        var messages = $"{context.Request.PathBase}{MessagesPath}?sessionId={sessionId}";
        await using var transport = new SseResponseStreamTransport(context.Response.Body, messages, sessionId);
        _sessions[sessionId] = new Session(transport, tokenId, context.User);
        Log.Opened(logger, tokenId);
        try
        {
            var pump = transport.RunAsync(stop.Token);
            try
            {
                await using var server = ModelContextProtocol.Server.McpServer.Create(transport, serverOptions.Value, loggerFactory, context.RequestServices);
                await server.RunAsync(stop.Token);
            }
            finally
            {
                await transport.DisposeAsync();
                await pump;
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // The client went away or the server is stopping: how SSE sessions end.
        }
        finally
        {
            _sessions.TryRemove(sessionId, out _);
            Log.Closed(logger, tokenId);
        }
    }

    public async Task<IResult> PostAsync(HttpContext context)
    {
        var sessionId = context.Request.Query["sessionId"].ToString();
        if (sessionId.Length == 0 || !_sessions.TryGetValue(sessionId, out var session))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such SSE session",
                detail: "Open GET /mcp/sse first and post to the endpoint it announces.");
        }

        if (session.TokenId != context.User.FindFirst(ApiTokenAuthenticationHandler.TokenIdClaim)?.Value)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status403Forbidden, title: "Not your session",
                detail: "An SSE session accepts messages only with the API token that opened it.");
        }

        JsonRpcMessage? message;
        try
        {
            message = await JsonSerializer.DeserializeAsync<JsonRpcMessage>(context.Request.Body, McpJsonUtilities.DefaultOptions, context.RequestAborted);
        }
        catch (JsonException)
        {
            message = null;
        }

        if (message is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Not a JSON-RPC message");
        }

        message.Context ??= new JsonRpcMessageContext();
        message.Context.User = session.User;
        await session.Transport.OnMessageReceivedAsync(message, context.RequestAborted);
        return TypedResults.Accepted((string?)null);
    }

    public const string StreamPath = "/mcp/sse";
    public const string MessagesPath = "/mcp/messages";

    private sealed record Session(SseResponseStreamTransport Transport, string TokenId, System.Security.Claims.ClaimsPrincipal User);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "MCP SSE session opened for API token {TokenId}")]
        public static partial void Opened(ILogger logger, string tokenId);

        [LoggerMessage(2, LogLevel.Debug, "MCP SSE session closed for API token {TokenId}")]
        public static partial void Closed(ILogger logger, string tokenId);

        [LoggerMessage(3, LogLevel.Warning, "Refused an MCP SSE session for API token {TokenId}: it already holds {Max} open")]
        public static partial void TooMany(ILogger logger, string tokenId, int max);
    }
}
