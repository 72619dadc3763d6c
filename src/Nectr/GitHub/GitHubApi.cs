using System.Net;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Nectr.Jobs;

namespace Nectr.GitHub;

/// <summary>
/// Typed client over GitHub's REST API; auth, rate limits, retries and ETags are handled by the handler pipeline.
/// Resolved from a DI scope (one per job in the worker), it stamps that scope's <see cref="RetryBudget"/> on every
/// request, so the read retries spend from the job's budget.
/// </summary>
internal sealed partial class GitHubApi(HttpClient http, RetryBudget budget) : IGitHubApi
{
    /// <summary>GitHub lists at most 3,000 files of a pull request: 30 pages of 100.</summary>
    public const int MaxFilePages = 30;

    public Task<GitHubPullRequest> GetPullRequestAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        GetAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}", GitHubJsonContext.Default.GitHubPullRequest, cancellationToken);

    public async Task<IReadOnlyList<GitHubPullRequestFile>> ListPullRequestFilesAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        PullRequestFileCheck.Checked(
            await GetAllPagesAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/files?per_page=100", GitHubJsonContext.Default.ListGitHubPullRequestFile, MaxFilePages, cancellationToken),
            owner, repo, number);

    public Task<IReadOnlyList<GitHubReview>> ListReviewsAsync(string owner, string repo, int number, CancellationToken cancellationToken) =>
        GetAllPagesAsync($"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/reviews?per_page=100", GitHubJsonContext.Default.ListGitHubReview, 50, cancellationToken);

    public async Task<GitHubReview> CreateReviewAsync(string owner, string repo, int number, CreateReviewRequest review, CancellationToken cancellationToken)
    {
        var path = $"repos/{Escape(owner)}/{Escape(repo)}/pulls/{number}/reviews";
        using var request = Request(HttpMethod.Post, new Uri(path, UriKind.Relative));
        request.Content = JsonContent.Create(review, GitHubJsonContext.Default.CreateReviewRequest);
        using var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, "POST", path, cancellationToken);
        return await ReadAsync(response, GitHubJsonContext.Default.GitHubReview, cancellationToken);
    }

    private async Task<T> GetAsync<T>(string path, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = Request(HttpMethod.Get, new Uri(path, UriKind.Relative));
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await EnsureSuccessAsync(response, "GET", path, cancellationToken);
        return await ReadAsync(response, type, cancellationToken);
    }

    private Task<IReadOnlyList<TItem>> GetAllPagesAsync<TItem>(string firstPath, JsonTypeInfo<List<TItem>> type, int maxPages, CancellationToken cancellationToken) =>
        GitHubPages.ReadAllAsync(http, firstPath, type, maxPages, next => Request(HttpMethod.Get, next), cancellationToken);

    private HttpRequestMessage Request(HttpMethod method, Uri uri)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Options.Set(RetryBudget.RequestKey, budget);
        return request;
    }

    internal static async Task<T> ReadAsync<T>(HttpResponseMessage response, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new GitHubApiException(response.StatusCode, response.RequestMessage?.Method.Method ?? "GET", response.RequestMessage?.RequestUri?.AbsolutePath ?? "?", "empty body");
        }
        catch (JsonException ex)
        {
            throw new GitHubApiException(HttpStatusCode.BadGateway, response.RequestMessage?.Method.Method ?? "GET", response.RequestMessage?.RequestUri?.AbsolutePath ?? "?", "unreadable JSON: " + ex.Message);
        }
    }

    internal static async Task EnsureSuccessAsync(HttpResponseMessage response, string method, string path, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        string? message = null;
        try
        {
            var error = await response.Content.ReadFromJsonAsync(GitHubJsonContext.Default.GitHubError, cancellationToken);
            message = error?.Message;
        }
        catch (JsonException)
        {
            // Not GitHub's JSON error shape (a proxy page, say); the status code says enough.
        }

        throw new GitHubApiException(response.StatusCode, method, path.Split('?')[0], message);
    }

    private static string Escape(string segment) => Uri.EscapeDataString(segment);
}

/// <summary>Reads the <c>rel="next"</c> target of GitHub's <c>Link</c> header.</summary>
internal static class LinkHeader
{
    public static Uri? Next(HttpResponseMessage response)
    {
        if (!response.Headers.TryGetValues("Link", out var values))
        {
            return null;
        }

        foreach (var value in values)
        {
            foreach (var part in value.Split(','))
            {
                var segments = part.Split(';');
                if (segments.Length < 2 || !segments.Skip(1).Any(s => s.Trim() == "rel=\"next\""))
                {
                    continue;
                }

                var url = segments[0].Trim().TrimStart('<').TrimEnd('>');
                if (Uri.TryCreate(url, UriKind.Absolute, out var uri))
                {
                    return uri;
                }
            }
        }

        return null;
    }
}
