using Nectr.Jobs;

namespace Nectr.Llm;

/// <summary>Why the resilience pipeline stopped retrying a transient failure.</summary>
internal enum LlmStop { None, MaxAttempts, RetryAfterTooLong, BudgetSpent }

/// <summary>
/// What happened to one model call on the wire: attempts, why retrying stopped, and the provider's final refusal
/// (status, retry-after, error body). Neither SDK hands response headers to its caller (the Anthropic exceptions
/// carry none), so the call's own <see cref="LlmCallHandler"/> and the retry pipeline note them here, on an object
/// that belongs to this call alone and travels on the request (<see cref="RequestKey"/>).
/// </summary>
internal sealed class LlmCallRecord
{
    public static readonly HttpRequestOptionsKey<LlmCallRecord> RequestKey = new("nectr.llm-call");

    private int _retries;

    /// <summary>Attempts made, first try included.</summary>
    public int Attempts => Volatile.Read(ref _retries) + 1;

    public LlmStop Stop { get; private set; }

    public int? Status { get; private set; }

    public TimeSpan? RetryAfter { get; private set; }

    public string? ErrorBody { get; private set; }

    internal void Retried() => Interlocked.Increment(ref _retries);

    internal void Stopped(LlmStop stop) => Stop = stop;

    internal void Refused(int status, TimeSpan? retryAfter, string? body) => (Status, RetryAfter, ErrorBody) = (status, retryAfter, body);
}

/// <summary>
/// The outermost handler of one model call: stamps the job's <see cref="RetryBudget"/> and the call's
/// <see cref="LlmCallRecord"/> on the request the SDK built, and notes the final refusal, if any, on the record.
/// One instance per call, so nothing is shared between calls, reviews or jobs.
/// </summary>
internal sealed class LlmCallHandler(RetryBudget? budget, LlmCallRecord record, TimeProvider time) : DelegatingHandler
{
    private const int MaxBodyChars = 4000;

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (budget is not null)
        {
            request.Options.Set(RetryBudget.RequestKey, budget);
        }

        request.Options.Set(LlmCallRecord.RequestKey, record);
        var response = await base.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            // Buffering keeps the body readable for the SDK, which builds its own exception from it.
            await response.Content.LoadIntoBufferAsync(cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            record.Refused((int)response.StatusCode, LlmResilience.RetryAfter(response, time.GetUtcNow()), body.Length > MaxBodyChars ? body[..MaxBodyChars] : body);
        }

        return response;
    }
}
