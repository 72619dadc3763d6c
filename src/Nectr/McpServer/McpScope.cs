using System.Security.Claims;
using ModelContextProtocol;
using Nectr.Analytics;
using Nectr.Auth;
using Nectr.GitHub;

namespace Nectr.McpServer;

/// <summary>
/// Who is calling and which repository they named, checked by the analytics' one lookup over <see cref="RepositoryScope.VisibleTo"/>: a tool or
/// resource never reads a repository its token's user cannot see, and says so in the same words as for one that does
/// not exist.
/// </summary>
internal sealed class McpScope(AnalyticsQueries analytics)
{
    /// <summary>The token's user; the MCP routes' policy admits no request without one.</summary>
    public static long UserId(ClaimsPrincipal? user) =>
        user?.NectrUserId() ?? throw new InvalidOperationException("An MCP request reached a tool without an API token's user.");

    /// <summary>
    /// The repository's full name as stored (matched case-insensitively, as GitHub does), or a tool error when the name
    /// is malformed or not among the user's repositories.
    /// </summary>
    public async Task<string> RepositoryAsync(long userId, string? repo, CancellationToken cancellationToken)
    {
        var name = repo?.Trim();
        if (string.IsNullOrEmpty(name) || !GitHubNames.IsFullName(name))
        {
            throw new McpException($"'{Shorten(repo)}' is not a repository name: use owner/name, e.g. octo-org/api.");
        }

        return await analytics.VisibleRepositoryAsync(userId, name, cancellationToken)
            ?? throw new McpException($"{name} is not among the repositories you can see in Nectr.");
    }

    public static McpException Invalid(string message) => new(message);

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 100 ? McpToolErrors.Printable(text) : McpToolErrors.Printable(text[..100]) + "…";
}
