using Nectr.Context;
using Nectr.Engine.Context;
using Nectr.Engine.Prompts;

namespace Nectr.McpClient;

/// <summary>What a configured MCP server's tool is used for in a review.</summary>
internal enum McpRole
{
    /// <summary>Tasks in a tracker (Linear <c>list_issues</c>/<c>search_issues</c>, GitHub-style <c>search_issues</c>).</summary>
    Tracker,

    /// <summary>Errors seen in production for the touched files (Sentry <c>search_issues</c>, <c>search_errors</c>, <c>find_errors_in_file</c>).</summary>
    Errors,

    /// <summary>Team discussion (Slack <c>conversations_search_messages</c>, <c>search_messages</c>).</summary>
    Discussion,
}

/// <summary>What the MCP servers added to one review: untrusted data blocks for the prompt, and one gap per server that
/// could not answer ("Sentry: unavailable (timeout)").</summary>
internal sealed record McpReviewContext(IReadOnlyList<ContextBlock> Blocks, IReadOnlyList<ContextGap> Gaps);

/// <summary>The result of one role call made by the model through a read-only review tool: text for the model (already
/// cut to the result cap), or the reason nothing could be read.</summary>
internal sealed record McpRoleAnswer(string Text, bool Answered);

/// <summary>
/// The MCP client as a review sees it: scoped, one per review, so the per-review call cap (MCP_CALLS_PER_REVIEW)
/// covers the gatherer's calls and the model's tool calls together. Every call is bounded by the per-call timeout and
/// result cap; a server that is down, slow or answers garbage costs at most its timeout and becomes a gap or an
/// unanswered <see cref="McpRoleAnswer"/>, never an exception (only the review's own cancellation escapes).
/// </summary>
internal interface IMcpReviewContext
{
    /// <summary>Whether any server fills <paramref name="role"/> with a tool that is pinned and accepted.</summary>
    bool Serves(McpRole role);

    /// <summary>Asks every configured server for what it knows about the pull request (tracker tasks named or matched by
    /// its title, errors for its files, discussion of its subject), all servers at once.</summary>
    Task<McpReviewContext> GatherAsync(ReviewSubject subject, CancellationToken cancellationToken);

    /// <summary>One call of the tool filling <paramref name="role"/> with the model's <paramref name="query"/> (a search text,
    /// or a file path for errors), for the read-only review tools.</summary>
    Task<McpRoleAnswer> AskAsync(McpRole role, string query, CancellationToken cancellationToken);
}

/// <summary>Whether a tool's definition (description and schemas) is the one pinned at first use.</summary>
internal enum McpPinState
{
    /// <summary>The pinned definition, or a change someone accepted: the tool is used.</summary>
    Accepted,

    /// <summary>The server now describes the tool differently from its pin: not used until someone accepts it in Settings.</summary>
    Changed,
}

/// <summary>One tool of a configured server as Settings shows it.</summary>
internal sealed record McpToolView(string Name, McpRole? Role, McpPinState Pin, string? ChangeSummary);

/// <summary>One configured MCP server as Settings shows it. <see cref="Endpoint"/> never holds a token.</summary>
internal sealed record McpServerView(
    string Name,
    string Endpoint,
    bool Connected,
    DateTimeOffset? CheckedAt,
    string? LastError,
    IReadOnlyList<McpToolView> Tools);

/// <summary>The configured MCP servers' state for Settings, and the one action Settings takes: accepting a changed definition.</summary>
internal interface IMcpServerStates
{
    Task<IReadOnlyList<McpServerView>> ListAsync(CancellationToken cancellationToken);

    /// <summary>Accepts the definition <paramref name="server"/> now gives for <paramref name="tool"/> as its new pin; false when there is no such pending change.</summary>
    Task<bool> AcceptAsync(string server, string tool, long acceptedByUserId, CancellationToken cancellationToken);
}
