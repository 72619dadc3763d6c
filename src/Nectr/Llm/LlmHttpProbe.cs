using System.Globalization;

namespace Nectr.Llm;

/// <summary>
/// What the provider answered to one attempt, when it refused: status, retry hints and the error body. Neither SDK
/// hands response headers to its caller once its own retries are off (the Anthropic exceptions carry no headers),
/// so <see cref="LlmHttpProbeHandler"/> notes them here for <see cref="LlmFailures"/> to read.
/// </summary>
internal sealed class LlmAttemptProbe
{
    private static readonly AsyncLocal<LlmAttemptProbe?> CurrentAttempt = new();

    public int? Status { get; private set; }
    public TimeSpan? RetryAfter { get; private set; }
    public string? ErrorBody { get; private set; }

    public static LlmAttemptProbe? Current => CurrentAttempt.Value;

    /// <summary>Starts a fresh probe for the attempt about to run on this async flow.</summary>
    public static LlmAttemptProbe Begin()
    {
        var probe = new LlmAttemptProbe();
        CurrentAttempt.Value = probe;
        return probe;
    }

    internal void Record(int status, TimeSpan? retryAfter, string? body)
    {
        Status = status;
        RetryAfter = retryAfter;
        ErrorBody = body;
    }
}

/// <summary>Sits under both SDKs' HTTP pipelines and records error responses on the current <see cref="LlmAttemptProbe"/>.</summary>
internal sealed class LlmHttpProbeHandler(TimeProvider time) : DelegatingHandler
{
    private const int MaxBodyChars = 4096;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode && LlmAttemptProbe.Current is { } probe)
        {
            // Buffering keeps the body readable for the SDK, which builds its own exception from it.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            probe.Record((int)response.StatusCode, RetryAfter(response, time.GetUtcNow()), body.Length > MaxBodyChars ? body[..MaxBodyChars] : body);
        }

        return response;
    }

    /// <summary><c>retry-after-ms</c> (OpenAI) first, then <c>retry-after</c> as seconds or an HTTP date.</summary>
    internal static TimeSpan? RetryAfter(HttpResponseMessage response, DateTimeOffset now)
    {
        if (response.Headers.TryGetValues("retry-after-ms", out var ms)
            && double.TryParse(ms.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }

        if (response.Headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                return date > now ? date - now : TimeSpan.Zero;
            }
        }

        // Some gateways send fractional seconds, which the typed header refuses.
        if (response.Headers.TryGetValues("retry-after", out var raw)
            && double.TryParse(raw.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }

        return null;
    }
}
