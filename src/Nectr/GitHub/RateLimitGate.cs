using System.Globalization;
using System.Net;

namespace Nectr.GitHub;

/// <summary>What a GitHub response said about rate limits.</summary>
internal enum RateLimitKind
{
    /// <summary>Not a rate-limit refusal (a plain 403 is a missing permission).</summary>
    None,

    /// <summary>The hourly quota is spent: <c>x-ratelimit-remaining: 0</c>, wait for <c>x-ratelimit-reset</c>.</summary>
    Primary,

    /// <summary>GitHub's secondary (abuse) limit: <c>retry-after</c>, or no header at all and only the message says so.</summary>
    Secondary,
}

/// <summary>
/// Process-wide memory of GitHub's rate limit. Once GitHub says "no more until T", every request waits for T
/// instead of hammering GitHub (which can get the token's access suspended). GitHub's rule
/// (docs.github.com, "Rate limits for the REST API"): honour <c>retry-after</c>; at <c>x-ratelimit-remaining: 0</c>
/// wait for <c>x-ratelimit-reset</c>; otherwise wait at least a minute, longer with each repeat.
/// </summary>
internal sealed class RateLimitGate(TimeProvider time)
{
    /// <summary>Secondary refusals in a row (no request got through in between) after which a job stops waiting and is parked.</summary>
    public const int MaxSecondaryInARow = 6;

    /// <summary>
    /// The longest a request waits for the gate to open, before it is sent or asked again. Longer waits release the
    /// worker: the job is re-queued for the reset time instead. Well under the GitHub client's own timeout, so an
    /// inline wait never turns into a "GitHub did not answer in time" failure.
    /// </summary>
    internal static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(30);

    /// <summary>The answer a request last got classified, so each answer is recorded once whoever looks at it first.</summary>
    private static readonly HttpRequestOptionsKey<Observed> ObservedKey = new("nectr.rate-limit-observed");

    /// <summary>GitHub's advice for a secondary limit that gives no retry-after: wait at least a minute, doubling on repeats.</summary>
    private static readonly TimeSpan SecondaryBase = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SecondaryMax = TimeSpan.FromMinutes(30);

    /// <summary>Enough of a 403 body to find GitHub's message; error bodies are small.</summary>
    private const int MaxBodyChars = 4096;

    private long _blockedUntilTicks;
    private int _secondaryInARow;

    public DateTimeOffset? BlockedUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _blockedUntilTicks);
            return ticks == 0 || ticks <= time.GetUtcNow().UtcTicks ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    /// <summary>Secondary refusals GitHub gave in a row; any answer that is not a rate-limit refusal resets it.</summary>
    public int SecondaryInARow => Volatile.Read(ref _secondaryInARow);

    /// <summary>When requests may go out again: the end of the current block, or now.</summary>
    public DateTimeOffset ResumeAt => BlockedUntil ?? time.GetUtcNow();

    public TimeSpan Remaining()
    {
        var until = BlockedUntil;
        return until is null ? TimeSpan.Zero : until.Value - time.GetUtcNow();
    }

    public Task WaitAsync(CancellationToken cancellationToken)
    {
        var wait = Remaining();
        return wait <= TimeSpan.Zero ? Task.CompletedTask : Task.Delay(wait, time, cancellationToken);
    }

    /// <summary>
    /// Records the limit if the response is a rate-limit refusal and says which kind it was. Asking again about the
    /// same response (the gate handler after the retry strategy) records nothing more: a refusal counts once.
    /// </summary>
    public async Task<RateLimitKind> ObserveAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var request = response.RequestMessage;
        if (request is not null && request.Options.TryGetValue(ObservedKey, out var seen) && ReferenceEquals(seen.Response, response))
        {
            return seen.Kind;
        }

        var kind = await RecordAsync(response, cancellationToken);
        request?.Options.Set(ObservedKey, new Observed(response, kind));
        return kind;
    }

    /// <summary>What the caller gets when the gate is closed for longer than it may wait, or GitHub refused its request.</summary>
    public GitHubRateLimitedException Refusal(RateLimitKind refused) =>
        new(ResumeAt, refused == RateLimitKind.Secondary ? SecondaryInARow : 0);

    private async Task<RateLimitKind> RecordAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var kind = await ClassifyAsync(response, cancellationToken);
        if (kind == RateLimitKind.None)
        {
            Interlocked.Exchange(ref _secondaryInARow, 0);
            return kind;
        }

        var now = time.GetUtcNow();
        DateTimeOffset until;
        if (kind == RateLimitKind.Secondary)
        {
            var repeats = Interlocked.Increment(ref _secondaryInARow);
            until = RetryAfter(response, now) ?? now + SecondaryWait(repeats);
        }
        else
        {
            until = ResetAt(response) ?? now;
        }

        Block(until < now ? now : until); // a reset already past (clock skew): retry once right away
        return kind;
    }

    /// <summary>1, 2, 4, 8… minutes (at most 30), with up to 10 % jitter so several processes do not return together.</summary>
    internal static TimeSpan SecondaryWait(int repeats)
    {
        var wait = SecondaryBase * Math.Pow(2, Math.Clamp(repeats - 1, 0, 10));
        var capped = wait < SecondaryMax ? wait : SecondaryMax;
        return capped * (1 + (0.1 * Random.Shared.NextDouble()));
    }

    private void Block(DateTimeOffset until)
    {
        var ticks = until.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _blockedUntilTicks);
        }
        while (seen < ticks && Interlocked.CompareExchange(ref _blockedUntilTicks, ticks, seen) != seen);
    }

    private static async Task<RateLimitKind> ClassifyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return RateLimitKind.None;
        }

        if (Header(response, "x-ratelimit-remaining") == "0" && ResetAt(response) is not null)
        {
            return RateLimitKind.Primary;
        }

        if (response.Headers.RetryAfter is not null || response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            return RateLimitKind.Secondary;
        }

        // A 403 with no rate-limit header: GitHub's secondary limit says so only in its message ("You have exceeded a
        // secondary rate limit", formerly "abuse detection mechanism"); anything else is a missing permission.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        var text = body.Length > MaxBodyChars ? body[..MaxBodyChars] : body;
        return text.Contains("secondary rate limit", StringComparison.OrdinalIgnoreCase)
            || text.Contains("abuse detection", StringComparison.OrdinalIgnoreCase)
            ? RateLimitKind.Secondary
            : RateLimitKind.None;
    }

    private static DateTimeOffset? RetryAfter(HttpResponseMessage response, DateTimeOffset now) =>
        response.Headers.RetryAfter is { } retryAfter ? (retryAfter.Delta is { } delta ? now + delta : retryAfter.Date) : null;

    private static DateTimeOffset? ResetAt(HttpResponseMessage response) =>
        long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetEpoch)
            ? DateTimeOffset.FromUnixTimeSeconds(resetEpoch)
            : null;

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;

    private sealed record Observed(HttpResponseMessage Response, RateLimitKind Kind);
}

/// <summary>
/// The rate-limit gate on a GitHub client's handler pipeline, in front of its resilience pipeline. It only gates: a
/// request waits while the gate is closed (at most <see cref="RateLimitGate.MaxInlineWait"/>, else it fails at once
/// without reaching GitHub), and an answer that is still a rate-limit refusal when it comes back out (a write, a wait
/// too long to sit out, or no retry left) becomes <see cref="GitHubRateLimitedException"/>: the job is re-queued for
/// the reset time. Asking again after a refused read is the resilience pipeline's part (<see cref="GitHubResilience"/>).
/// </summary>
internal sealed class RateLimitHandler(RateLimitGate gate) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (gate.Remaining() > RateLimitGate.MaxInlineWait)
        {
            throw gate.Refusal(RateLimitKind.None);
        }

        await gate.WaitAsync(cancellationToken);
        var response = await base.SendAsync(request, cancellationToken);
        // The pipeline inside has usually classified this answer already; the gate records each answer once.
        var kind = await gate.ObserveAsync(response, cancellationToken);
        if (kind == RateLimitKind.None)
        {
            return response;
        }

        // A write was refused before GitHub acted on it; still, its caller decides how to try again (the review POST
        // looks for its marker first), so no write is ever repeated here.
        response.Dispose();
        throw gate.Refusal(kind);
    }
}
