using System.Globalization;
using System.Net;

namespace Nectr.GitHub;

/// <summary>
/// Process-wide memory of GitHub's rate limit. Once GitHub says "no more until T", every request waits for T
/// instead of hammering GitHub (which can get the token's access suspended).
/// </summary>
internal sealed class RateLimitGate(TimeProvider time)
{
    /// <summary>GitHub's advice for a secondary limit that gives no retry-after: wait at least a minute.</summary>
    private static readonly TimeSpan SecondaryDefault = TimeSpan.FromMinutes(1);
    private long _blockedUntilTicks;

    public DateTimeOffset? BlockedUntil
    {
        get
        {
            var ticks = Interlocked.Read(ref _blockedUntilTicks);
            return ticks == 0 || ticks <= time.GetUtcNow().UtcTicks ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

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

    /// <summary>Records the limit if the response is a rate-limit refusal; returns whether it was one.</summary>
    public bool Observe(HttpResponseMessage response)
    {
        if (response.StatusCode is not (HttpStatusCode.Forbidden or HttpStatusCode.TooManyRequests))
        {
            return false;
        }

        var now = time.GetUtcNow();
        DateTimeOffset? until = null;
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            until = retryAfter.Delta is { } delta ? now + delta : retryAfter.Date;
        }
        else if (Header(response, "x-ratelimit-remaining") == "0"
                 && long.TryParse(Header(response, "x-ratelimit-reset"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var resetEpoch))
        {
            until = DateTimeOffset.FromUnixTimeSeconds(resetEpoch);
        }
        else if (response.StatusCode == HttpStatusCode.TooManyRequests)
        {
            until = now + SecondaryDefault;
        }

        if (until is null)
        {
            return false; // A plain 403: missing permission, not a limit.
        }

        if (until < now)
        {
            until = now; // Clock skew: the reset is already past, retry once right away.
        }

        var ticks = until.Value.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _blockedUntilTicks);
        }
        while (seen < ticks && Interlocked.CompareExchange(ref _blockedUntilTicks, ticks, seen) != seen);

        return true;
    }

    private static string? Header(HttpResponseMessage response, string name) =>
        response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null;
}

/// <summary>
/// Waits at the <see cref="RateLimitGate"/> before every request. A rate-limited GET is retried once the limit
/// resets, if that is soon; a POST is handed back to its caller, which checks what landed before trying again.
/// </summary>
internal sealed class RateLimitHandler(RateLimitGate gate) : DelegatingHandler
{
    /// <summary>Longer waits release the worker: the job is re-queued for the reset time instead.</summary>
    internal static readonly TimeSpan MaxInlineWait = TimeSpan.FromSeconds(90);
    private const int MaxRetries = 3;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            ThrowIfTooLong();
            await gate.WaitAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            if (!gate.Observe(response) || request.Method != HttpMethod.Get || attempt == MaxRetries)
            {
                return response;
            }

            response.Dispose();
        }
    }

    private void ThrowIfTooLong()
    {
        if (gate.Remaining() > MaxInlineWait && gate.BlockedUntil is { } until)
        {
            throw new GitHubRateLimitedException(until);
        }
    }
}
