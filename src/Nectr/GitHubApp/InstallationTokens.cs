using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.GitHubApp;

/// <summary>
/// Installation access tokens of Nectr's GitHub App: asked for with the App's JWT
/// (<c>POST /app/installations/{id}/access_tokens</c>), kept per installation and fetched again
/// <see cref="RefreshBefore"/> before GitHub's <c>expires_at</c>. Only one fetch per installation runs at a time:
/// callers that find the token due share it. Tokens are never logged. Which installation covers a repository comes from
/// <c>repositories.InstallationId</c> when known (installation events fill it), else from
/// <c>GET /repos/{owner}/{repo}/installation</c>, which is then written back.
/// </summary>
internal sealed partial class InstallationTokens(
    GitHubAppCredentials credentials, IHttpClientFactory clients, IServiceProvider services, TimeProvider time, ILogger<InstallationTokens> logger)
{
    /// <summary>The client for calls made as the App itself: no token handler (the JWT is set per request).</summary>
    public const string ClientName = "github-app";
    public static readonly TimeSpan RefreshBefore = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan NotInstalledRecheck = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private readonly Dictionary<long, Slot> _slots = [];
    private readonly ConcurrentDictionary<string, (long? Id, DateTimeOffset Until)> _installations = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>A current token of <paramref name="installationId"/>: the cached one, or one fetched now (shared by concurrent callers).</summary>
    public async ValueTask<string> TokenAsync(long installationId, CancellationToken cancellationToken)
    {
        Task<InstallationToken> fetch;
        lock (_lock)
        {
            if (!_slots.TryGetValue(installationId, out var slot))
            {
                _slots[installationId] = slot = new Slot();
            }

            if (slot.Current is { } current && time.GetUtcNow() < current.ExpiresAt - RefreshBefore)
            {
                return current.Token;
            }

            // Started outside the caller's cancellation: a caller that gives up must not fail the others sharing it.
            fetch = slot.Fetch ??= Task.Run(() => FetchAsync(installationId, slot), CancellationToken.None);
        }

        return (await fetch.WaitAsync(cancellationToken)).Token;
    }

    /// <summary>The installation of Nectr's App that covers <paramref name="owner"/>/<paramref name="repo"/>, or null when the App is not installed there.</summary>
    public async ValueTask<long?> InstallationForAsync(string owner, string repo, CancellationToken cancellationToken)
    {
        var fullName = owner + "/" + repo;
        if (_installations.TryGetValue(fullName, out var known) && (known.Id is not null || time.GetUtcNow() < known.Until))
        {
            return known.Id;
        }

        var id = await StoredInstallationAsync(fullName, cancellationToken) ?? await AskInstallationAsync(owner, repo, cancellationToken);
        _installations[fullName] = (id, time.GetUtcNow() + NotInstalledRecheck);
        return id;
    }

    /// <summary>Forgets what is known about a repository's installation (it was uninstalled, or moved to another installation).</summary>
    public void ForgetRepository(string fullName) => _installations.TryRemove(fullName, out _);

    /// <summary>A request made as the App itself, with a fresh JWT.</summary>
    internal async Task<HttpRequestMessage> AppRequestAsync(HttpMethod method, string path, CancellationToken cancellationToken)
    {
        var app = await credentials.GetAsync(cancellationToken) ?? throw new GitHubTokenUnavailableException("Nectr is not configured as a GitHub App (GITHUB_APP_ID is not set and no App was created on the dashboard).");
        var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", AppJwt.Create(app.AppId, app.PrivateKey, time.GetUtcNow()));
        return request;
    }

    private async Task<InstallationToken> FetchAsync(long installationId, Slot slot)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
            var path = $"app/installations/{installationId}/access_tokens";
            using var request = await AppRequestAsync(HttpMethod.Post, path, timeout.Token);
            using var http = clients.CreateClient(ClientName);
            using var response = await http.SendAsync(request, timeout.Token);
            if (response.StatusCode == HttpStatusCode.Unauthorized)
            {
                throw new GitHubTokenUnavailableException("GitHub refused Nectr's App JWT (401): check that GITHUB_APP_ID is the App's id and that its private key is one of the App's current keys, and that this machine's clock is right.");
            }

            if (response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.Forbidden)
            {
                throw new GitHubTokenUnavailableException($"GitHub has no usable installation {installationId} of Nectr's App ({(int)response.StatusCode}): it was uninstalled or suspended. Install the App on the repository again.");
            }

            await GitHubApi.EnsureSuccessAsync(response, "POST", path, timeout.Token);
            var answer = await GitHubApi.ReadAsync(response, InstallationJsonContext.Default.AccessTokenAnswer, timeout.Token);
            if (string.IsNullOrEmpty(answer.Token))
            {
                throw new GitHubApiException(HttpStatusCode.BadGateway, "POST", path, "no token in the answer") { Permanent = true };
            }

            var token = new InstallationToken(answer.Token, answer.ExpiresAt);
            lock (_lock)
            {
                slot.Current = token;
            }

            Log.Fetched(logger, installationId, answer.ExpiresAt);
            return token;
        }
        finally
        {
            lock (_lock)
            {
                slot.Fetch = null;
            }
        }
    }

    private async Task<long?> StoredInstallationAsync(string fullName, CancellationToken cancellationToken)
    {
        if (services.GetService<IDbContextFactory<NectrDb>>() is not { } dbs)
        {
            return null;
        }

        // Names are compared as GitHub spells them: deliveries, jobs and rows all take them from GitHub.
        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        return await db.Repositories.AsNoTracking().Where(r => r.FullName == fullName && r.InstallationId != null)
            .Select(r => r.InstallationId).FirstOrDefaultAsync(cancellationToken);
    }

    private async Task<long?> AskInstallationAsync(string owner, string repo, CancellationToken cancellationToken)
    {
        var path = $"repos/{Uri.EscapeDataString(owner)}/{Uri.EscapeDataString(repo)}/installation";
        using var request = await AppRequestAsync(HttpMethod.Get, path, cancellationToken);
        using var http = clients.CreateClient(ClientName);
        using var response = await http.SendAsync(request, cancellationToken);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await GitHubApi.EnsureSuccessAsync(response, "GET", path, cancellationToken);
        var installation = await GitHubApi.ReadAsync(response, InstallationJsonContext.Default.InstallationAnswer, cancellationToken);
        await WriteBackAsync(owner + "/" + repo, installation.Id, cancellationToken);
        return installation.Id;
    }

    /// <summary>Remembers the installation on a repository Nectr already knows (only where none is recorded: installation events own it).</summary>
    private async Task WriteBackAsync(string fullName, long installationId, CancellationToken cancellationToken)
    {
        if (services.GetService<IDbContextFactory<NectrDb>>() is not { } dbs)
        {
            return;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        await db.Repositories.Where(r => r.FullName == fullName && r.InstallationId == null)
            .ExecuteUpdateAsync(u => u.SetProperty(r => r.InstallationId, installationId), cancellationToken);
    }

    private sealed class Slot
    {
        public InstallationToken? Current { get; set; }
        public Task<InstallationToken>? Fetch { get; set; }
    }

    private sealed record InstallationToken(string Token, DateTimeOffset ExpiresAt)
    {
        public override string ToString() => $"installation token until {ExpiresAt:u}";
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Fetched an installation token for installation {InstallationId}, valid until {ExpiresAt:u}")]
        public static partial void Fetched(ILogger logger, long installationId, DateTimeOffset expiresAt);
    }
}

internal sealed record AccessTokenAnswer(string? Token, DateTimeOffset ExpiresAt);

internal sealed record InstallationAnswer(long Id);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(AccessTokenAnswer))]
[JsonSerializable(typeof(InstallationAnswer))]
[JsonSerializable(typeof(AppAnswer))]
internal sealed partial class InstallationJsonContext : JsonSerializerContext;
