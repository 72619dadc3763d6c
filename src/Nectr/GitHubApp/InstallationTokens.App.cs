using Nectr.GitHub;

namespace Nectr.GitHubApp;

internal sealed record AppAnswer(long Id, string? Slug);

// Calls made as the App itself (JWT), besides tokens: its slug, which makes Nectr's login <slug>[bot].
internal sealed partial class InstallationTokens
{
    private string? _slug;

    /// <summary>
    /// The App's slug: <c>GITHUB_APP_SLUG</c> or the dashboard-created App's, else asked once with <c>GET /app</c>.
    /// Null when Nectr is not an App.
    /// </summary>
    public async ValueTask<string?> SlugAsync(CancellationToken cancellationToken)
    {
        if (await credentials.GetAsync(cancellationToken) is not { } app)
        {
            return null;
        }

        if ((app.Slug ?? Volatile.Read(ref _slug)) is { } known)
        {
            return known;
        }

        using var request = await AppRequestAsync(HttpMethod.Get, "app", cancellationToken);
        using var http = clients.CreateClient(ClientName);
        using var response = await http.SendAsync(request, cancellationToken);
        await GitHubApi.EnsureSuccessAsync(response, "GET", "app", cancellationToken);
        var answer = await GitHubApi.ReadAsync(response, InstallationJsonContext.Default.AppAnswer, cancellationToken);
        if (string.IsNullOrEmpty(answer.Slug))
        {
            throw new GitHubApiException(System.Net.HttpStatusCode.BadGateway, "GET", "app", "no slug in the answer") { Permanent = true };
        }

        Volatile.Write(ref _slug, answer.Slug);
        return answer.Slug;
    }
}
