using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Knowledge;
using Nectr.McpClient;

namespace Nectr.Tools;

/// <summary>
/// Makes the toolbox of one review. Scoped, like the GitHub client it reads through (the review's budget and token).
/// File history and memory need the database: where there is none (the command line without DATABASE_URL) those
/// two tools are not offered. The MCP tools read through the review's own <see cref="IMcpReviewContext"/> (scoped like
/// this), so the model's calls and the gatherer's share one per-review call cap.
/// </summary>
internal sealed class ReviewTools(
    IOptions<ReviewToolOptions> options,
    IGitHubApi github,
    IIssueLookup issues,
    ILogger<ReviewToolbox> logger,
    FileHistory? history = null,
    MemorySearch? memory = null,
    IMcpReviewContext? mcp = null)
{
    /// <summary>
    /// The toolbox for <paramref name="request"/>, or null when there is none to give: tools are off
    /// (REVIEW_TOOL_ROUNDS=0) or the change is not a pull request on GitHub (a local diff or git range has no head
    /// commit to read files at).
    /// </summary>
    public ReviewToolbox? For(ReviewRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!options.Value.Enabled || request.Number <= 0 || string.IsNullOrEmpty(request.HeadSha))
        {
            return null;
        }

        return new ReviewToolbox(new ToolTarget(request.Owner, request.Repo, request.Number, request.HeadSha), options.Value, github, issues, history, memory, mcp, logger);
    }
}
