using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;
using ModelContextProtocol.Protocol;
using Nectr.Configuration;
using Nectr.Context;
using Nectr.Engine.Context;
using Nectr.Engine.Prompts;

namespace Nectr.McpClient;

/// <summary>
/// The MCP client of one review (scoped): connects to each configured server once, when first needed, and closes the
/// sessions with the review. Every call runs under the per-call timeout and the result cap and counts toward
/// <c>MCP_CALLS_PER_REVIEW</c>; what a server answers is untrusted data with its source named, and a server that is
/// down, slow or answers garbage is a gap, never an exception. A configured token that a server echoes is redacted.
/// </summary>
internal sealed partial class McpReviewSession(IOptions<McpOptions> options, McpServers servers, ILogger<McpReviewSession> logger)
    : IMcpReviewContext, IAsyncDisposable
{
    private readonly Dictionary<string, Task<McpSession>> sessions = new(StringComparer.OrdinalIgnoreCase);
    private readonly Lock gate = new();
    private int calls;

    public bool Serves(McpRole role) => servers.Configured.Any(s => servers.MayServe(s, role));

    public async Task<McpReviewContext> GatherAsync(ReviewSubject subject, CancellationToken cancellationToken)
    {
        var perServer = await Task.WhenAll(servers.Configured.Select(s => GatherFromAsync(s, subject, cancellationToken)));
        return new McpReviewContext([.. perServer.SelectMany(p => p.Blocks)], [.. perServer.SelectMany(p => p.Gaps)]);
    }

    private async Task<McpReviewContext> GatherFromAsync(McpServerSettings server, ReviewSubject subject, CancellationToken cancellationToken)
    {
        var session = await SessionAsync(server, cancellationToken);
        if (session.Problem is { } problem)
        {
            return new McpReviewContext([], [Gap(server, problem)]);
        }

        // One tool per role: the preferred one (McpRoles.Preference).
        var plans = session.Tools.GroupBy(t => t.Role).Select(g => g.First()).ToList();
        var results = await Task.WhenAll(plans.Select(plan => plan.Role == McpRole.Errors
            ? CallAsync(session, plan, plan.PathArgument is null ? ErrorQuery(subject) : null, McpRoles.ErrorPath(subject), cancellationToken)
            : CallAsync(session, plan, McpRoles.SubjectQuery(subject), null, cancellationToken)));

        var blocks = results.Where(r => r.Block is not null).Select(r => r.Block!).ToList();
        var gaps = results.Where(r => r.Problem is not null).Select(r => r.Problem!).Distinct(StringComparer.Ordinal).Select(p => Gap(server, p)).ToList();
        if (session.Changed.Count > 0)
        {
            gaps.Add(new ContextGap(server.Name, string.Join(", ", session.Changed) + " changed since first use: not called until accepted in Settings"));
        }

        return new McpReviewContext(blocks, gaps);
    }

    public async Task<McpRoleAnswer> AskAsync(McpRole role, string query, CancellationToken cancellationToken)
    {
        var candidates = servers.Configured.Where(s => servers.MayServe(s, role)).ToList();
        var sessions = await Task.WhenAll(candidates.Select(s => SessionAsync(s, cancellationToken)));
        var asked = sessions
            .Select(s => (Session: s, Plan: s.Tools.FirstOrDefault(t => t.Role == role)))
            .Where(p => p.Plan is not null)
            .ToList();
        if (asked.Count == 0)
        {
            var why = sessions.FirstOrDefault(s => s.Problem is not null) is { } down ? $"{down.Server.Name} is unavailable ({down.Problem})" : "no configured MCP server answers this";
            return new McpRoleAnswer(why, false);
        }

        var results = await Task.WhenAll(asked.Select(p => role == McpRole.Errors && p.Plan!.PathArgument is not null
            ? CallAsync(p.Session, p.Plan, null, query, cancellationToken)
            : CallAsync(p.Session, p.Plan!, query, null, cancellationToken)));
        var text = new StringBuilder();
        var answered = false;
        foreach (var result in results)
        {
            answered |= result.Block is not null;
            text.Append(result.Block is { } block ? block.Title + ":\n" + block.Text : $"{result.Server}: {result.Problem}").Append("\n\n");
        }

        return new McpRoleAnswer(text.ToString().TrimEnd(), answered);
    }

    private async Task<McpSession> SessionAsync(McpServerSettings server, CancellationToken cancellationToken)
    {
        try
        {
            return await OpenAsync(server, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // An earlier caller's deadline stopped the connect this caller shares.
            return new McpSession(server, null, [], "timeout");
        }
    }

    private Task<McpSession> OpenAsync(McpServerSettings server, CancellationToken cancellationToken)
    {
        lock (gate)
        {
            if (!sessions.TryGetValue(server.Name, out var session))
            {
                // The first caller's deadline bounds the connect; the call timeout bounds it anyway.
                session = servers.ConnectAsync(server, cancellationToken);
                sessions[server.Name] = session;
            }

            return session;
        }
    }

    private async Task<CallResult> CallAsync(McpSession session, McpToolPlan plan, string? query, string? path, CancellationToken cancellationToken)
    {
        var server = session.Server.Name;
        if (Interlocked.Increment(ref calls) > options.Value.CallsPerReview)
        {
            return new CallResult(server, null, "not asked: MCP_CALLS_PER_REVIEW reached");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.CallTimeout);
        try
        {
            var result = await session.Client!.CallToolAsync(plan.Tool, plan.Arguments(query, path), cancellationToken: timeout.Token);
            if (result.IsError == true)
            {
                return new CallResult(server, null, "the tool reported an error");
            }

            var text = Redact(Text(result));
            var title = $"{server}: {Noun(plan.Role)} for \"{path ?? query}\" ({plan.Tool})";
            return new CallResult(server, new ContextBlock(ContextKind.Mcp, Redact(title), text.Length == 0 ? "(no results)" : Utf8Cap.Cap(text, options.Value.ResultBytes)), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var reason = McpServers.Describe(ex);
            Log.CallFailed(logger, server, plan.Tool, reason);
            return new CallResult(server, null, reason);
        }
    }

    private static string ErrorQuery(ReviewSubject subject) =>
        McpRoles.ErrorPath(subject) is { } path ? Path.GetFileName(path) : McpRoles.SubjectQuery(subject);

    private static string Noun(McpRole role) => role switch
    {
        McpRole.Tracker => "tasks",
        McpRole.Errors => "errors",
        _ => "discussion",
    };

    private static ContextGap Gap(McpServerSettings server, string problem) => new(server.Name, "unavailable: " + problem);

    private static string Text(CallToolResult result)
    {
        var text = string.Join("\n", result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        return text.Length > 0 || result.StructuredContent is not { } structured ? text : JsonSerializer.Serialize(structured);
    }

    /// <summary>A server that repeats a token back (any configured one) never gets it into a prompt.</summary>
    private string Redact(string text)
    {
        foreach (var token in servers.Configured.Select(s => s.Token).OfType<string>())
        {
            text = text.Replace(token, "[redacted]", StringComparison.Ordinal);
        }

        return text;
    }

    public async ValueTask DisposeAsync()
    {
        List<Task<McpSession>> open;
        lock (gate)
        {
            open = [.. sessions.Values];
            sessions.Clear();
        }

        foreach (var pending in open)
        {
            try
            {
                await (await pending).DisposeAsync();
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException or InvalidOperationException)
            {
                // A review cancelled mid-connect, or a process that already exited: nothing left to close.
            }
        }
    }

    private sealed record CallResult(string Server, ContextBlock? Block, string? Problem);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "MCP server {Server}: tool {Tool} gave nothing ({Reason})")]
        public static partial void CallFailed(ILogger logger, string server, string tool, string reason);
    }
}
