using System.Text.Json;

namespace Nectr.GitHub;

/// <summary>
/// Nectr's own GitHub login: the account behind the service token, asked once with <c>GET /user</c> and cached for
/// the life of the process, so deliveries sent by Nectr itself are skipped (it must never review or answer itself).
/// Intake asks only for deliveries Nectr may have caused (its reviews, comments, a bot sender) and never waits on
/// GitHub per delivery: one lookup is shared and only the first is waited for (at most <see cref="WaitBound"/>); a
/// failed one is retried in the background at most once a minute. As a GitHub App, Nectr acts as <c>&lt;slug&gt;[bot]</c>
/// (<c>GET /user</c> means nothing to an installation token), so the login is that, the slug asked of GitHub when not configured.
/// </summary>
internal sealed partial class NectrIdentity(IHttpClientFactory clients, GitHubApp.InstallationTokens app, TimeProvider time, ILogger<NectrIdentity> logger)
{
    public const string ClientName = "github-identity";
    private static readonly TimeSpan WaitBound = TimeSpan.FromSeconds(3);
    private static readonly TimeSpan RetryAfterFailure = TimeSpan.FromMinutes(1);
    private readonly Lock _lock = new();
    private string? _login;
    private Task<string?>? _lookup;
    private Task<string?>? _first;
    private DateTimeOffset _retryAt;

    /// <summary>The login, or null while it is unknown (GitHub unreachable, no token): then nothing is skipped for it.</summary>
    public async ValueTask<string?> LoginAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _login) is { } known)
        {
            return known;
        }

        Task<string?> lookup;
        bool first;
        lock (_lock)
        {
            first = _first is null;
            if (first || (_lookup!.IsCompleted && _login is null && time.GetUtcNow() >= _retryAt))
            {
                _lookup = Task.Run(LookUpAsync, CancellationToken.None);
                _first ??= _lookup;
            }

            lookup = _lookup!;
        }

        if (lookup != _first)
        {
            // A retry after a failure runs in the background: while GitHub is unreachable, deliveries never wait on it.
            return null;
        }

        try
        {
            return await lookup.WaitAsync(WaitBound, time, cancellationToken);
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    private async Task<string?> LookUpAsync()
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30), time);
            if (await app.SlugAsync(timeout.Token) is { } slug)
            {
                return Known(slug + "[bot]");
            }

            using var http = clients.CreateClient(ClientName);
            using var response = await http.GetAsync(new Uri("user", UriKind.Relative), timeout.Token);
            await GitHubApi.EnsureSuccessAsync(response, "GET", "user", timeout.Token);
            using var json = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
            var login = json.RootElement.TryGetProperty("login", out var value) ? value.GetString() : null;
            if (string.IsNullOrEmpty(login))
            {
                throw new JsonException("GET /user answered without a login");
            }

            return Known(login);
        }
        catch (Exception ex) when (ex is HttpRequestException or GitHubApiException or GitHubRateLimitedException or GitHubTokenUnavailableException or JsonException or InvalidOperationException or OperationCanceledException)
        {
            lock (_lock)
            {
                _retryAt = time.GetUtcNow() + RetryAfterFailure;
            }

            Log.Unresolved(logger, ex.Message);
            return null;
        }
    }

    private string Known(string login)
    {
        Volatile.Write(ref _login, login);
        Log.Resolved(logger, login);
        return login;
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Nectr acts on GitHub as {Login}; deliveries it sends are stored and skipped")]
        public static partial void Resolved(ILogger logger, string login);

        [LoggerMessage(2, LogLevel.Warning, "Could not learn Nectr's own GitHub login (GET /user): {Reason}. Deliveries are not checked for Nectr's own events until it is known; retrying in a minute")]
        public static partial void Unresolved(ILogger logger, string reason);
    }
}
