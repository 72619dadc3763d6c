using System.Net;
using System.Text.Json.Serialization.Metadata;

namespace Nectr.GitHub;

/// <summary>
/// The one paginator of every paged GitHub read, for the service's token and a signed-in user's alike. It follows
/// <c>rel="next"</c> only while the link stays under the configured API address (scheme, host, port and path, so
/// <c>https://ghes/api/v3/</c> too): the token goes with every request, and a Link header is GitHub's answer, which a
/// proxy or a compromised server could point anywhere. A link elsewhere fails the read; it is not retried.
/// </summary>
internal static class GitHubPages
{
    public static async Task<IReadOnlyList<TItem>> ReadAllAsync<TItem>(
        HttpClient http, string firstPath, JsonTypeInfo<List<TItem>> type, int maxPages, Func<Uri, HttpRequestMessage> request, CancellationToken cancellationToken)
    {
        var items = new List<TItem>();
        Uri? next = new(firstPath, UriKind.Relative);
        for (var page = 0; next is not null && page < maxPages; page++)
        {
            using var message = request(next);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            await GitHubApi.EnsureSuccessAsync(response, "GET", next.ToString(), cancellationToken);
            items.AddRange(await GitHubApi.ReadAsync(response, type, cancellationToken));
            next = LinkHeader.Next(response);
            if (next is not null && !IsUnder(next, http.BaseAddress))
            {
                throw new GitHubApiException(HttpStatusCode.BadGateway, "GET", firstPath,
                    $"GitHub's next-page link points outside GITHUB_API_URL ({next.GetLeftPart(UriPartial.Authority)}); Nectr does not send its token there")
                {
                    Permanent = true,
                };
            }
        }

        return items;
    }

    /// <summary>Whether <paramref name="link"/> lies under <paramref name="api"/>; without a base address nothing does.</summary>
    internal static bool IsUnder(Uri link, Uri? api) =>
        api is not null
        && Uri.Compare(link, api, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) == 0
        && link.AbsolutePath.StartsWith(api.AbsolutePath, StringComparison.Ordinal);
}
