using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Auth;

namespace Nectr.McpClient;

/// <summary>A configured MCP server as the API shows it: no token, ever (the endpoint is the configured URL without credentials).</summary>
internal sealed record McpServerResponse(
    string Name, string Endpoint, bool Connected, DateTimeOffset? CheckedAt, string? LastError, IReadOnlyList<McpToolResponse> Tools);

/// <summary>One tool: its role (<c>tracker</c>, <c>errors</c>, <c>discussion</c>, or null when unused) and pin (<c>accepted</c> or <c>changed</c>).</summary>
internal sealed record McpToolResponse(string Name, string? Role, string Pin, string? ChangeSummary);

/// <summary>
/// Settings' view of the configured MCP servers, for signed-in users: <c>GET /api/v1/mcp/servers</c>, and accepting a
/// tool's changed definition, <c>POST /api/v1/mcp/servers/{server}/tools/{tool}/accept</c> (API, antiforgery header) and
/// <c>POST /settings/mcp/{server}/tools/{tool}/accept</c> (the Settings page's button, antiforgery form field, back to
/// Settings with a notice). Both read and change through <see cref="IMcpServerStates"/>, the pins' owner.
/// </summary>
internal static class McpServerEndpoints
{
    public static IEndpointRouteBuilder MapMcpServerSettings(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/mcp/servers").RequireNectrUser(TypedResults.Unauthorized);
        api.MapGet("", ListAsync);
        // Antiforgery is checked in the handlers (as in EventsEndpoints) so the refusal is this API's ProblemDetails.
        api.MapPost("/{server}/tools/{tool}/accept", AcceptAsync);

        var form = app.MapGroup("/settings/mcp").RequireNectrUser(Antiforgery.Rejected).DisableAntiforgery();
        form.MapPost("/{server}/tools/{tool}/accept", AcceptFromSettingsAsync);
        return app;
    }

    public static string? Notice(string? code) => code switch
    {
        "mcp_accepted" => "Accepted: the tool's new definition is its pin now, and reviews use the tool again.",
        "mcp_not_changed" => "That tool has no changed definition waiting: nothing was accepted.",
        _ => null,
    };

    public static string RoleName(McpRole? role) => role is { } known ? McpRoles.Name(known) : "none";

    private static async Task<Ok<IReadOnlyList<McpServerResponse>>> ListAsync(IMcpServerStates states, CancellationToken cancellationToken)
    {
        var servers = await states.ListAsync(cancellationToken);
        return TypedResults.Ok<IReadOnlyList<McpServerResponse>>([.. servers.Select(s => new McpServerResponse(
            s.Name, s.Endpoint, s.Connected, s.CheckedAt, s.LastError,
            [.. s.Tools.Select(t => new McpToolResponse(t.Name, t.Role is null ? null : RoleName(t.Role), t.Pin == McpPinState.Changed ? "changed" : "accepted", t.ChangeSummary))]))]);
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> AcceptAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, IMcpServerStates states, string server, string tool, CancellationToken cancellationToken)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        return await states.AcceptAsync(server, tool, user.Id, cancellationToken)
            ? TypedResults.NoContent()
            : TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No changed definition",
                detail: "No configured MCP server has a changed definition of that tool waiting to be accepted.");
    }

    private static async Task<IResult> AcceptFromSettingsAsync(
        HttpContext context, NectrUser user, IAntiforgery antiforgery, IMcpServerStates states, string server, string tool)
    {
        if (!await antiforgery.IsRequestValidAsync(context))
        {
            return Antiforgery.Rejected();
        }

        var accepted = await states.AcceptAsync(server, tool, user.Id, context.RequestAborted);
        // 303 See Other: the browser follows with a GET, so reloading the page does not post again.
        context.Response.Headers.Location = "/settings?notice=" + (accepted ? "mcp_accepted" : "mcp_not_changed") + "#mcp";
        return Results.StatusCode(StatusCodes.Status303SeeOther);
    }
}
