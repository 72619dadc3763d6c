using System.Diagnostics;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.GitHub;

/// <summary>
/// The token Nectr uses for its own GitHub calls: <c>GITHUB_PAT</c>; else, outside production, whatever
/// <c>gh auth token</c> prints (read once, then cached); else an error that names both fixes.
/// </summary>
internal sealed partial class GitHubTokenSource(IOptions<GitHubOptions> gitHub, ILogger<GitHubTokenSource> logger) : IDisposable
{
    private readonly SemaphoreSlim _ghLock = new(1, 1);
    private string? _ghToken;

    public string Mode => gitHub.Value.Pat is not null ? "personal access token (GITHUB_PAT)"
        : gitHub.Value.IsProduction ? "none" : "gh auth token (development only)";

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

/// <summary>Adds the service token to every GitHub request.</summary>
internal sealed class GitHubAuthHandler(GitHubTokenSource tokens) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var token = await tokens.GetTokenAsync(cancellationToken);
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        return await base.SendAsync(request, cancellationToken);
    }
}
