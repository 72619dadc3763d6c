using System.Globalization;
using Microsoft.Extensions.AI;
using Nectr.Configuration;

namespace Nectr.Llm;

/// <summary>
/// Our retry policy around a provider's <see cref="IChatClient"/> (whose own retries are off): a deadline per
/// attempt (<c>LLM_TIMEOUT_SECONDS</c>; the caller's token still cancels), and retries of overload, rate limits,
/// server errors and deadline expiry with exponential backoff and jitter, honouring <c>retry-after</c>. Failures
/// that waiting cannot fix (key, billing, invalid request) stop at once. Every failure surfaces as <see cref="LlmException"/>.
/// </summary>
internal sealed partial class ResilientChatClient(IChatClient inner, LlmOptions settings, TimeProvider time, ILogger<ResilientChatClient> logger)
    : DelegatingChatClient(inner)
{
    /// <summary>Key of <see cref="ChatResponse.AdditionalProperties"/> that carries the number of attempts made.</summary>
    public const string AttemptsKey = "nectr.attempts";

    /// <summary>Key of <see cref="ChatOptions.AdditionalProperties"/> that lowers this call's attempts below LLM_MAX_ATTEMPTS; never sent on.</summary>
    public const string MaxAttemptsKey = "nectr.max_attempts";

    private static readonly TimeSpan MaxRetryAfterJitter = TimeSpan.FromMilliseconds(250);
    private static readonly string[] SchemaTerms = ["response_format", "json_schema", "output_config", "output_format", "structured output", "schema"];
    private volatile bool _schemaRefused;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var conversation = messages as IReadOnlyList<ChatMessage> ?? messages.ToList();
        var maxAttempts = settings.MaxAttempts;
        var reduced = false;
        if (options?.AdditionalProperties?.TryGetValue(MaxAttemptsKey, out var asked) == true && asked is int fewer)
        {
            maxAttempts = Math.Clamp(fewer, 1, settings.MaxAttempts);
            reduced = maxAttempts < settings.MaxAttempts;
            options = options.Clone();
            options.AdditionalProperties!.Remove(MaxAttemptsKey);
        }

        for (var attempt = 1; ; attempt++)
        {
            var attemptOptions = _schemaRefused ? WithoutSchema(options) : options;
            using var deadline = new CancellationTokenSource(settings.Timeout, time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
            var probe = LlmAttemptProbe.Begin();
            try
            {
                var response = await base.GetResponseAsync(conversation, attemptOptions, linked.Token);
                (response.AdditionalProperties ??= [])[AttemptsKey] = attempt;
                return response;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not LlmException)
            {
                var failure = deadline.IsCancellationRequested
                    ? new LlmFailure(true, false, $"{LlmFailures.ProviderName(settings)} did not answer within {settings.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s (LLM_TIMEOUT_SECONDS).")
                    : LlmFailures.Classify(ex, probe, settings);

                if (failure.Status == 400 && !_schemaRefused && HasSchema(attemptOptions) && MentionsSchema(probe.ErrorBody ?? ex.Message))
                {
                    // A server without structured output (an older model, a local server) refuses the format, not the
                    // review: the prompt asks for the same JSON, and the parser is tolerant. Asking again without it
                    // is a different question, not a retry, so it does not spend an attempt.
                    _schemaRefused = true;
                    maxAttempts++;
                    Log.StructuredOutputRefused(logger, settings.Model);
                    continue;
                }

                if (!failure.Retry)
                {
                    Log.GaveUp(logger, attempt, failure.Status, failure.Reason);
                    throw new LlmException(failure.Reason, failure.Permanent, attempt, ex);
                }

                if (attempt >= maxAttempts)
                {
                    // Not permanent: an outage of minutes should delay the review (the job queue retries it with its
                    // own backoff and parks it after REVIEW_MAX_ATTEMPTS), not lose it.
                    var reason = $"{failure.Reason} Gave up after {attempt} attempt{(attempt == 1 ? "" : "s")} ({(reduced ? "fewer tries per call on a retried review" : "LLM_MAX_ATTEMPTS")}); the review will be tried again later.";
                    Log.GaveUp(logger, attempt, failure.Status, reason);
                    throw new LlmException(reason, false, attempt, ex);
                }

                if (failure.RetryAfter > settings.RetryMax)
                {
                    var reason = $"{failure.Reason} It asks to wait {Math.Ceiling(failure.RetryAfter.Value.TotalSeconds).ToString(CultureInfo.InvariantCulture)} s, longer than LLM_RETRY_MAX_SECONDS; the review will be tried again later.";
                    Log.GaveUp(logger, attempt, failure.Status, reason);
                    throw new LlmException(reason, false, attempt, ex);
                }

                var wait = Delay(attempt, failure.RetryAfter);
                Log.Retrying(logger, attempt, maxAttempts, failure.Status, failure.Reason, (long)wait.TotalMilliseconds);
                await Task.Delay(wait, time, cancellationToken);
            }
        }
    }

    /// <summary>The provider's retry-after plus a little jitter (never less), else exponential backoff with jitter.</summary>
    internal TimeSpan Delay(int attempt, TimeSpan? retryAfter)
    {
        if (retryAfter is { } asked)
        {
            return asked + (MaxRetryAfterJitter * Random.Shared.NextDouble());
        }

        var exponential = settings.RetryBase * Math.Pow(2, Math.Min(attempt - 1, 16));
        var capped = exponential < settings.RetryMax ? exponential : settings.RetryMax;
        return capped * (0.5 + (Random.Shared.NextDouble() / 2));
    }

    private static bool HasSchema(ChatOptions? options) => options?.ResponseFormat is ChatResponseFormatJson { Schema: not null };

    private static ChatOptions? WithoutSchema(ChatOptions? options)
    {
        if (!HasSchema(options))
        {
            return options;
        }

        var copy = options!.Clone();
        copy.ResponseFormat = null;
        return copy;
    }

    private static bool MentionsSchema(string text) =>
        SchemaTerms.Any(term => text.Contains(term, StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Warning, Message = "LLM attempt {Attempt} of {MaxAttempts} failed (status {Status}): {Reason} Retrying in {DelayMs} ms.")]
        public static partial void Retrying(ILogger logger, int attempt, int maxAttempts, int? status, string reason, long delayMs);

        [LoggerMessage(Level = LogLevel.Warning, Message = "LLM call failed after {Attempts} attempt(s) (status {Status}): {Reason}")]
        public static partial void GaveUp(ILogger logger, int attempts, int? status, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM server refused structured output for model {Model}; asking for JSON by prompt alone from now on.")]
        public static partial void StructuredOutputRefused(ILogger logger, string model);
    }
}
