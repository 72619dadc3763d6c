namespace Nectr.GitHub;

/// <summary>A pull request's live state on GitHub.</summary>
internal enum PullRequestLiveState { Open, Closed, Merged }

/// <summary>
/// The live state of pull requests, keyed <c>owner/repo#number</c> (DESIGN §5): fresh for 60 s while open and 300 s
/// once merged or closed, at most <see cref="Capacity"/> entries with the least recently used evicted first, and
/// one GitHub call per key at a time however many readers miss together. A <c>pull_request</c> delivery that
/// closes or reopens a PR writes its entry at once, so the common transition costs no GitHub call at all.
/// </summary>
internal sealed partial class PullRequestStateCache(IGitHubApi github, TimeProvider time, ILogger<PullRequestStateCache> logger)
{
    public const int Capacity = 500;
    public static readonly TimeSpan OpenTtl = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan ClosedTtl = TimeSpan.FromSeconds(300);

    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<Entry>> _entries = new(StringComparer.OrdinalIgnoreCase);
    // Most recently used first; the last node is the next to go.
    private readonly LinkedList<Entry> _recency = new();
    private readonly Dictionary<string, Task<PullRequestLiveState?>> _inFlight = new(StringComparer.OrdinalIgnoreCase);
    private long _version;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    public static string Key(string repositoryFullName, int number) =>
        $"{repositoryFullName}#{number.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>
    /// The PR's state, from the cache while fresh, else from GitHub. Null when GitHub could not say (not found, no
    /// token, GitHub down): unknown is not cached, so the next reader asks again.
    /// </summary>
    public Task<PullRequestLiveState?> GetAsync(string repositoryFullName, int number, CancellationToken cancellationToken)
    {
        var key = Key(repositoryFullName, number);
        Task<PullRequestLiveState?> fetch;
        lock (_lock)
        {
            if (_entries.TryGetValue(key, out var node))
            {
                if (node.Value.ExpiresAt > time.GetUtcNow())
                {
                    Touch(node);
                    return Task.FromResult<PullRequestLiveState?>(node.Value.State);
                }

                Remove(node);
            }

            if (!_inFlight.TryGetValue(key, out fetch!))
            {
                // Started under the lock so a second reader always finds it; the work itself runs after the lock.
                fetch = FetchAsync(repositoryFullName, number, key, _version);
                _inFlight[key] = fetch;
            }
        }

        // One caller giving up must not cancel the shared call; each waiter stops waiting on its own token.
        return fetch.WaitAsync(cancellationToken);
    }

    /// <summary>Records a state GitHub told us in a webhook; it wins over any fetch that started earlier.</summary>
    public void Set(string repositoryFullName, int number, PullRequestLiveState state)
    {
        lock (_lock)
        {
            Store(Key(repositoryFullName, number), state, ++_version);
        }
    }

    private async Task<PullRequestLiveState?> FetchAsync(string repositoryFullName, int number, string key, long startedAt)
    {
        await Task.Yield();
        PullRequestLiveState? state = null;
        try
        {
            var slash = repositoryFullName.IndexOf('/', StringComparison.Ordinal);
            // Not the caller's token: readers share this call. HttpClient's own timeout bounds it.
            var pr = await github.GetPullRequestAsync(repositoryFullName[..slash], repositoryFullName[(slash + 1)..], number, CancellationToken.None);
            state = pr.Merged == true ? PullRequestLiveState.Merged
                : string.Equals(pr.State, "open", StringComparison.OrdinalIgnoreCase) ? PullRequestLiveState.Open
                : PullRequestLiveState.Closed;
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubRateLimitedException or GitHubTokenUnavailableException or HttpRequestException or TaskCanceledException)
        {
            Log.Unknown(logger, GitHubFailures.TraceOf(ex), repositoryFullName, number, ex.Message);
        }
        finally
        {
            lock (_lock)
            {
                _inFlight.Remove(key);
                if (_entries.TryGetValue(key, out var newer) && newer.Value.Version > startedAt)
                {
                    // A webhook said something after this call started: GitHub's newer word wins.
                    state = newer.Value.State;
                }
                else if (state is { } known)
                {
                    Store(key, known, ++_version);
                }
            }
        }

        return state;
    }

    private void Store(string key, PullRequestLiveState state, long version)
    {
        var ttl = state == PullRequestLiveState.Open ? OpenTtl : ClosedTtl;
        var entry = new Entry(key, state, time.GetUtcNow() + ttl, version);
        if (_entries.TryGetValue(key, out var node))
        {
            node.Value = entry;
            Touch(node);
            return;
        }

        _entries[key] = _recency.AddFirst(entry);
        while (_entries.Count > Capacity)
        {
            Remove(_recency.Last!);
        }
    }

    private void Touch(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _recency.AddFirst(node);
    }

    private void Remove(LinkedListNode<Entry> node)
    {
        _recency.Remove(node);
        _entries.Remove(node.Value.Key);
    }

    private sealed record Entry(string Key, PullRequestLiveState State, DateTimeOffset ExpiresAt, long Version);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Live state of {Repository}#{Number} unknown: {Reason}")]
        public static partial void Unknown(ILogger logger, Exception? exception, string repository, int number, string reason);
    }
}
