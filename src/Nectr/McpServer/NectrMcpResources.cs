using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using ModelContextProtocol;
using ModelContextProtocol.Server;
using Nectr.Data;
using Nectr.Reviews;

namespace Nectr.McpServer;

/// <summary>
/// Resource templates: a repository's recent reviews and one review, as JSON in the API's shapes, scoped like the tools.
/// An unseen repository or review is "resource not found", the same as one that does not exist.
/// </summary>
[McpServerResourceType]
internal sealed class NectrMcpResources
{
    public const int RepositoryReviews = 20;

    [McpServerResource(UriTemplate = "nectr://repos/{owner}/{repo}/reviews", Name = "repository_reviews", Title = "A repository's recent reviews", MimeType = "application/json")]
    [Description("The repository's 20 most recent Nectr reviews, newest first.")]
    public static async Task<string> RepositoryReviewsAsync(
        ClaimsPrincipal user, ReviewReadModel reviews, McpScope scope, string owner, string repo, CancellationToken cancellationToken)
    {
        var userId = McpScope.UserId(user);
        string name;
        try
        {
            name = await scope.RepositoryAsync(userId, owner + "/" + repo, cancellationToken);
        }
        catch (McpException ex)
        {
            throw new McpProtocolException(ex.Message, McpErrorCode.ResourceNotFound);
        }

        var page = await reviews.ReviewsAsync(userId, new ReviewFilter { Repo = name, Page = PageRequest.From(1, RepositoryReviews) }, cancellationToken);
        return JsonSerializer.Serialize(new ReviewList(page.Total, page.Items), McpServerExtensions.Json);
    }

    [McpServerResource(UriTemplate = "nectr://reviews/{id}", Name = "review", Title = "A review", MimeType = "application/json")]
    [Description("One Nectr review: verdict, summary, findings, coverage, usage.")]
    public static async Task<string> ReviewAsync(ClaimsPrincipal user, ReviewReadModel reviews, string id, CancellationToken cancellationToken)
    {
        var userId = McpScope.UserId(user);
        if (!long.TryParse(id, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var reviewId)
            || await reviews.ReviewAsync(userId, reviewId, liveState: false, cancellationToken) is not { } review)
        {
            throw new McpProtocolException($"No review {id} in the repositories you can see.", McpErrorCode.ResourceNotFound);
        }

        return JsonSerializer.Serialize(review, McpServerExtensions.Json);
    }
}
