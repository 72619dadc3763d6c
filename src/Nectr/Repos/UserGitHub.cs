using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization.Metadata;
using Nectr.Auth;
using Nectr.GitHub;

namespace Nectr.Repos;

/// <summary>
/// GitHub on behalf of one signed-in user, with that user's own token: what they can see and administer, and the
/// webhooks of their repositories. Separate from <see cref="IGitHubApi"/>, which carries the service's token.
/// </summary>
internal interface IUserGitHub
{
    /// <summary>Every repository the user owns, collaborates on or sees through an organisation: all pages.</summary>
    Task<IReadOnlyList<GitHubRepository>> ListRepositoriesAsync(CancellationToken cancellationToken);

    /// <summary>One repository with the user's permissions on it.</summary>
    Task<GitHubRepository> GetRepositoryAsync(string owner, string repo, CancellationToken cancellationToken);

    Task<IReadOnlyList<GitHubHook>> ListHooksAsync(string owner, string repo, CancellationToken cancellationToken);

    Task<GitHubHook> CreateHookAsync(string owner, string repo, GitHubHookRequest hook, CancellationToken cancellationToken);

    Task<GitHubHook> UpdateHookAsync(string owner, string repo, long hookId, GitHubHookRequest hook, CancellationToken cancellationToken);

    /// <summary>Deletes the hook; false when GitHub no longer has it (404), which counts as removed.</summary>
    Task<bool> DeleteHookAsync(string owner, string repo, long hookId, CancellationToken cancellationToken);
}

/// <summary>Makes an <see cref="IUserGitHub"/> for a user from the token they signed in with.</summary>
internal sealed class UserGitHubFactory(IHttpClientFactory http, UserTokens tokens)
{
    public const string HttpClientName = "Nectr.UserGitHub";

    /// <summary>A client for the user, or null when Nectr holds no usable token for them (they must sign in again).</summary>
    public async Task<IUserGitHub?> ForUserAsync(long userId, CancellationToken cancellationToken) =>
        await tokens.GetAsync(userId, cancellationToken) is { } token ? new UserGitHubClient(http.CreateClient(HttpClientName), token) : null;
}

internal sealed class UserGitHubClient(HttpClient http, string token) : IUserGitHub
{
    /// <summary>100 pages of 100: far more repositories than a person can pick from, and a bound on a bad Link loop.</summary>
    private const int MaxRepositoryPages = 100;

    private static readonly string[] Affiliations = ["owner", "collaborator", "organization_member"];

    public Task<IReadOnlyList<GitHubRepository>> ListRepositoriesAsync(CancellationToken cancellationToken) =>
        GetAllPagesAsync($"user/repos?per_page=100&affiliation={string.Join(',', Affiliations)}", UserGitHubJsonContext.Default.ListGitHubRepository, MaxRepositoryPages, cancellationToken);

    public Task<GitHubRepository> GetRepositoryAsync(string owner, string repo, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Get, RepoPath(owner, repo), null, UserGitHubJsonContext.Default.GitHubRepository, cancellationToken);

    public Task<IReadOnlyList<GitHubHook>> ListHooksAsync(string owner, string repo, CancellationToken cancellationToken) =>
        GetAllPagesAsync(RepoPath(owner, repo) + "/hooks?per_page=100", UserGitHubJsonContext.Default.ListGitHubHook, 10, cancellationToken);

    public Task<GitHubHook> CreateHookAsync(string owner, string repo, GitHubHookRequest hook, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Post, RepoPath(owner, repo) + "/hooks", JsonContent.Create(hook, UserGitHubJsonContext.Default.GitHubHookRequest), UserGitHubJsonContext.Default.GitHubHook, cancellationToken);

    public Task<GitHubHook> UpdateHookAsync(string owner, string repo, long hookId, GitHubHookRequest hook, CancellationToken cancellationToken) =>
        SendAsync(HttpMethod.Patch, $"{RepoPath(owner, repo)}/hooks/{hookId}", JsonContent.Create(hook with { Name = null }, UserGitHubJsonContext.Default.GitHubHookRequest), UserGitHubJsonContext.Default.GitHubHook, cancellationToken);

    public async Task<bool> DeleteHookAsync(string owner, string repo, long hookId, CancellationToken cancellationToken)
    {
        var path = $"{RepoPath(owner, repo)}/hooks/{hookId}";
        using var request = Request(HttpMethod.Delete, new Uri(path, UriKind.Relative), null);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return false;
        }

        await GitHubApi.EnsureSuccessAsync(response, "DELETE", path, cancellationToken);
        return true;
    }

    private async Task<T> SendAsync<T>(HttpMethod method, string path, HttpContent? content, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        using var request = Request(method, new Uri(path, UriKind.Relative), content);
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        await GitHubApi.EnsureSuccessAsync(response, method.Method, path, cancellationToken);
        return await GitHubApi.ReadAsync(response, type, cancellationToken);
    }

    private Task<IReadOnlyList<TItem>> GetAllPagesAsync<TItem>(string firstPath, JsonTypeInfo<List<TItem>> type, int maxPages, CancellationToken cancellationToken) =>
        GitHubPages.ReadAllAsync(http, firstPath, type, maxPages, next => Request(HttpMethod.Get, next, null), cancellationToken);

    /// <summary>The token goes on each request, not on the client, so a pooled handler never carries it to another user.</summary>
    private HttpRequestMessage Request(HttpMethod method, Uri uri, HttpContent? content)
    {
        var request = new HttpRequestMessage(method, uri) { Content = content };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return request;
    }

    private static string RepoPath(string owner, string repo) => $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}";
}
