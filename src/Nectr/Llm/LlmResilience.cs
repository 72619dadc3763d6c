using System.Globalization;
using Nectr.Configuration;
using Nectr.Jobs;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Nectr.Llm;

/// <summary>
/// The LLM's retry policy, on the handler pipeline of the HttpClient both SDKs send through (their own retries are
/// off, so nothing is retried twice over): a deadline per attempt (<c>LLM_TIMEOUT_SECONDS</c>), and retries of
/// overload, rate limits, server errors, dropped connections and expired deadlines, waiting what the provider asks
/// (<c>retry-after-ms</c>, <c>retry-after</c>) or else exponential backoff with jitter. Refusals that waiting cannot
/// fix (key, billing, invalid request) are answered at once. Each retry spends one unit of the job's
/// <see cref="RetryBudget"/>, which the request carries; why it stopped is noted on the request's <see cref="LlmCallRecord"/>.
/// </summary>
internal static partial class LlmResilience
{
    public const string ClientName = "Nectr.Llm";

    private const string PipelineName = "llm";

    /// <summary>Spreads clients that were told the same retry-after; added on top, so the wait is never shorter than asked.</summary>
    private static readonly TimeSpan MaxRetryAfterJitter = TimeSpan.FromMilliseconds(250);

    public static IHttpClientBuilder AddLlmRetries(this IHttpClientBuilder builder, LlmOptions settings)
    {
        builder.AddResilienceHandler(PipelineName, (pipeline, context) =>
        {
            // The app's clock, so tests cross deadlines and backoffs with a FakeTimeProvider instead of waiting.
            var time = context.ServiceProvider.GetRequiredService<TimeProvider>();
            var logger = context.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(LlmResilience));
            pipeline.TimeProvider = time;
            pipeline.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                // The limit is LLM_MAX_ATTEMPTS, applied in ShouldRetryAsync so that a stop is always recorded with its reason.
                MaxRetryAttempts = int.MaxValue,
                ShouldHandle = args => ShouldRetryAsync(args, settings, time),
                DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(Delay(args.AttemptNumber, RetryAfterOf(args.Outcome, time), settings)),
                OnRetry = args =>
                {
                    Log.Retrying(logger, args.AttemptNumber + 1, settings.MaxAttempts, (int?)args.Outcome.Result?.StatusCode,
                        args.Outcome.Exception?.GetType().Name, (long)args.RetryDelay.TotalMilliseconds);
                    return ValueTask.CompletedTask;
                },
            });
            pipeline.AddTimeout(settings.Timeout);
        });
        return builder;
    }

    /// <summary>
    /// Whether this failed attempt is tried again: only a transient failure, within LLM_MAX_ATTEMPTS, with a
    /// retry-after no longer than LLM_RETRY_MAX_SECONDS, and while the job's retry budget has a unit to spend.
    /// </summary>
    private static async ValueTask<bool> ShouldRetryAsync(RetryPredicateArguments<HttpResponseMessage> args, LlmOptions settings, TimeProvider time)
    {
        if (args.Context.CancellationToken.IsCancellationRequested || !await IsTransientAsync(args.Outcome, args.Context.CancellationToken))
        {
            return false;
        }

        var request = args.Context.GetRequestMessage();
        var record = request?.Options.TryGetValue(LlmCallRecord.RequestKey, out var found) == true ? found : null;
        if (args.AttemptNumber + 1 >= settings.MaxAttempts)
        {
            record?.Stopped(LlmStop.MaxAttempts);
            return false;
        }

        if (RetryAfterOf(args.Outcome, time) is { } asked && asked > settings.RetryMax)
        {
            record?.Stopped(LlmStop.RetryAfterTooLong);
            return false;
        }

        // Outside a job (the command line) there is no budget: LLM_MAX_ATTEMPTS alone bounds the call.
        if (request?.Options.TryGetValue(RetryBudget.RequestKey, out var budget) == true && !budget.TrySpend())
        {
            record?.Stopped(LlmStop.BudgetSpent);
            return false;
        }

        record?.Retried();
        return true;
    }

    /// <summary>Overload, rate limits, server errors, a dropped connection or an attempt past its deadline — unless the "rate limit" is an exhausted quota.</summary>
    internal static async ValueTask<bool> IsTransientAsync(Outcome<HttpResponseMessage> outcome, CancellationToken cancellationToken)
    {
        if (outcome.Exception is not null)
        {
            return outcome.Exception is HttpRequestException or TimeoutRejectedException;
        }

        var response = outcome.Result!;
        var status = (int)response.StatusCode;
        if (status is not (408 or 409 or 429) && status < 500)
        {
            return false;
        }

        // OpenAI's insufficient_quota is a 429 that waiting cannot fix. Buffered, so the SDK can still read the body.
        await response.Content.LoadIntoBufferAsync(cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        return !LlmFailures.IsBilling(status, body);
    }

    /// <summary>The provider's retry-after plus a little jitter (never less), else exponential backoff with jitter, capped at LLM_RETRY_MAX_SECONDS.</summary>
    internal static TimeSpan Delay(int retry, TimeSpan? retryAfter, LlmOptions settings)
    {
        if (retryAfter is { } asked)
        {
            return asked + (MaxRetryAfterJitter * Random.Shared.NextDouble());
        }

        var exponential = settings.RetryBase * Math.Pow(2, Math.Min(retry, 16));
        var capped = exponential < settings.RetryMax ? exponential : settings.RetryMax;
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private static TimeSpan? RetryAfterOf(Outcome<HttpResponseMessage> outcome, TimeProvider time) =>
        outcome.Result is { } response ? RetryAfter(response, time.GetUtcNow()) : null;

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

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "LLM attempt {Attempt} of at most {MaxAttempts} failed (status {Status}, {Exception}); retrying in {DelayMs} ms.")]
        public static partial void Retrying(ILogger logger, int attempt, int maxAttempts, int? status, string? exception, long delayMs);
    }
}
