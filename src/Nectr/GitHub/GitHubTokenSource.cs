using System.Diagnostics;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHubApp;

namespace Nectr.GitHub;

/// <summary>
/// The token Nectr uses for its own GitHub calls (DESIGN §4), per request: as a GitHub App, the installation token of
/// the repository the request is about (<c>/repos/{owner}/{repo}/…</c>, or <see cref="RepositoryKey"/> for paths
/// without one such as GraphQL) and the App's JWT for <c>/app…</c>; else <c>GITHUB_PAT</c>; else, outside production,
/// whatever <c>gh auth token</c> prints (read once, then cached); else an error that names the fixes. A repository the
/// App is not installed on falls through to the next in that order.
/// </summary>
internal sealed partial class GitHubTokenSource(
    IOptions<GitHubOptions> gitHub, GitHubAppCredentials app, InstallationTokens installations, TimeProvider time, ILogger<GitHubTokenSource> logger) : IDisposable
{
    /// <summary>The repository (<c>owner/repo</c>) a request whose path names none is about, so an App picks its installation.</summary>
    public static readonly HttpRequestOptionsKey<string> RepositoryKey = new("Nectr.GitHub.Repository");

    private readonly SemaphoreSlim _ghLock = new(1, 1);
    private string? _ghToken;

    public string Mode => app.Known is { } known
        ? $"GitHub App {known.Slug ?? known.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture)} (installation tokens; {known.Source})"
        : gitHub.Value.Pat is not null ? "personal access token (GITHUB_PAT)"
        : gitHub.Value.IsProduction ? "none" : "gh auth token (development only)";

    /// <summary>The token for <paramref name="request"/> (its URI already absolute), in the order above.</summary>
    public async ValueTask<string> ForRequestAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (await app.GetAsync(cancellationToken) is { } credentials)
        {
            var path = ApiPath(request.RequestUri);
            if (path is "app" || path?.StartsWith("app/", StringComparison.Ordinal) == true)
            {
                return AppJwt.Create(credentials.AppId, credentials.PrivateKey, time.GetUtcNow());
            }

            if (RepositoryOf(path, request) is var (owner, repo))
            {
                if (await installations.InstallationForAsync(owner, repo, cancellationToken) is { } installation)
                {
                    return await installations.TokenAsync(installation, cancellationToken);
                }

                if (gitHub.Value.Pat is null && gitHub.Value.IsProduction)
                {
                    throw new GitHubTokenUnavailableException($"Nectr's GitHub App is not installed on {owner}/{repo}: install the App on that repository (or its organisation), or set GITHUB_PAT for repositories outside the App.");
                }
            }
        }

        return await GetTokenAsync(cancellationToken);
    }

    /// <summary>Whether Nectr can authenticate at all (for health and Settings): an App, or a PAT / gh token.</summary>
    public async ValueTask EnsureAvailableAsync(CancellationToken cancellationToken)
    {
        if (await app.GetAsync(cancellationToken) is null)
        {
            _ = await GetTokenAsync(cancellationToken);
        }
    }

    public async ValueTask<string> GetTokenAsync(CancellationToken cancellationToken)
    {
        if (gitHub.Value.Pat is { } pat)
        {
            return pat;
        }

        if (gitHub.Value.IsProduction)
        {
            throw new GitHubTokenUnavailableException("No GitHub token: set GITHUB_PAT to a token with read access to pull requests and write access to reviews. (`gh auth token` is not used in production.)");
        }

        if (_ghToken is { } cached)
        {
            return cached;
        }

        await _ghLock.WaitAsync(cancellationToken);
        try
        {
            return _ghToken ??= await ReadGhTokenAsync(cancellationToken);
        }
        finally
        {
            _ghLock.Release();
        }
    }

    public void Dispose() => _ghLock.Dispose();

    /// <summary>The request's path below the API base (GHES: below /api/v3/), without a leading slash; null when it is not GitHub's API.</summary>
    private string? ApiPath(Uri? uri)
    {
        var api = gitHub.Value.ApiUrl;
        if (uri is null || !uri.IsAbsoluteUri || Uri.Compare(uri, api, UriComponents.SchemeAndServer, UriFormat.Unescaped, StringComparison.OrdinalIgnoreCase) != 0
            || !uri.AbsolutePath.StartsWith(api.AbsolutePath, StringComparison.Ordinal))
        {
            return null;
        }

        return uri.AbsolutePath[api.AbsolutePath.Length..].TrimStart('/');
    }

    private static (string Owner, string Repo)? RepositoryOf(string? path, HttpRequestMessage request)
    {
        var parts = path?.Split('/');
        if (parts is ["repos", var owner, var repo, ..] && owner.Length > 0 && repo.Length > 0)
        {
            return (Uri.UnescapeDataString(owner), Uri.UnescapeDataString(repo));
        }

        return request.Options.TryGetValue(RepositoryKey, out var fullName) && fullName.Split('/') is [var o, var r] ? (o, r) : null;
    }

    private async Task<string> ReadGhTokenAsync(CancellationToken cancellationToken)
    {
        const string fixes = "Set GITHUB_PAT to a token with pull-request read and review write access, or run `gh auth login` (development only).";
        var start = new ProcessStartInfo("gh")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("auth");
        start.ArgumentList.Add("token");
        start.ArgumentList.Add("--hostname");
        start.ArgumentList.Add(gitHub.Value.WebUrl.Host);

        try
        {
            using var process = Process.Start(start) ?? throw new GitHubTokenUnavailableException("No GitHub token: `gh` could not be started. " + fixes);
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            var output = await process.StandardOutput.ReadToEndAsync(timeout.Token);
            await process.WaitForExitAsync(timeout.Token);
            var token = output.Trim();
            if (process.ExitCode != 0 || token.Length == 0)
            {
                throw new GitHubTokenUnavailableException("No GitHub token: `gh auth token` found no login. " + fixes);
            }

            Log.UsingGhToken(logger, gitHub.Value.WebUrl.Host);
            return token;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new GitHubTokenUnavailableException("No GitHub token: GITHUB_PAT is not set and the GitHub CLI `gh` is not installed. " + fixes);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Using the GitHub CLI's token for {Host} (development only)")]
        public static partial void UsingGhToken(ILogger logger, string host);
    }
}

/// <summary>Adds the service token for that request (an App's installation token for its repository) to every GitHub request.</summary>
internal sealed class GitHubAuthHandler(GitHubTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.ForRequestAsync(request, cancellationToken);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}
