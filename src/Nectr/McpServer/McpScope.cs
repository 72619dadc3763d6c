using System.Security.Claims;
using Microsoft.EntityFrameworkCore;
using ModelContextProtocol;
using Nectr.Auth;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.McpServer;

/// <summary>
/// Who is calling and which repository they named, checked against <see cref="RepositoryScope.VisibleTo"/>: a tool or
/// resource never reads a repository its token's user cannot see, and says so in the same words as for one that does
/// not exist.
/// </summary>
internal sealed class McpScope(IDbContextFactory<NectrDb> dbs)
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

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var lower = name.ToLowerInvariant();
        // One user's list is small and indexed by user; lower() on both sides is what both providers translate.
#pragma warning disable CA1862
        var visible = await db.VisibleTo(userId).Where(n => n == name || n.ToLower() == lower).ToListAsync(cancellationToken);
#pragma warning restore CA1862
        return visible.FirstOrDefault(n => n == name) ?? visible.FirstOrDefault()
            ?? throw new McpException($"{name} is not among the repositories you can see in Nectr.");
    }

    public static McpException Invalid(string message) => new(message);

    private static string Shorten(string? text) => text is null ? "" : text.Length <= 100 ? text : text[..100] + "…";
}
