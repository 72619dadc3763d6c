using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Nectr.Jobs;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Nectr.GitHub;

/// <summary>
/// Retries of GitHub reads, on the GitHub clients' handler pipelines (Microsoft.Extensions.Http.Resilience, Polly
/// underneath), inside the <see cref="RateLimitHandler"/> gate. Only GET and HEAD are retried: a write is never
/// repeated blindly (the review POST looks for its own marker before posting again, see <c>Reviews/ReviewRunner.cs</c>).
/// Two strategies: a read GitHub refused for its rate limit is asked again once the <see cref="RateLimitGate"/> opens,
/// if that is within <see cref="RateLimitGate.MaxInlineWait"/>; inside that, transient failures are retried with
/// jittered exponential backoff. Every retry of either spends one unit of the job's <see cref="RetryBudget"/>, which
/// the request carries (<see cref="GitHubApi"/> stamps it); an empty budget sends the failure up to the job queue.
/// </summary>
internal static class GitHubResilience
{
    public const string PipelineName = "github-reads";

    /// <summary>The identity lookup's pipeline: rate-limit waits only, as before; its own lookup retries once a minute.</summary>
    public const string IdentityPipelineName = "github-identity";

    /// <summary>Transient retries of one read, within one job attempt: a 502 costs a second of waiting, not a job retry.</summary>
    internal const int MaxRetries = 3;

    /// <summary>Rate-limit retries of one read; each waits for the gate to open (at most <see cref="RateLimitGate.MaxInlineWait"/>).</summary>
    internal const int MaxRateLimitRetries = 3;

    internal static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(8);

    /// <summary>GitHub ends its own work on a REST request after 10 s; a read silent for longer is gone.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The whole call: every attempt and wait, and waits at the rate-limit gate (at most <see cref="RateLimitGate.MaxInlineWait"/> each).</summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(100);

    public static IHttpClientBuilder AddGitHubReadRetries(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler(PipelineName, static (pipeline, context) =>
        {
            // The app's clock, so tests drive the backoff with a FakeTimeProvider instead of waiting.
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddRetry(RateLimitRetry(context.ServiceProvider.GetRequiredService<RateLimitGate>()));
            var transient = new HttpRetryStrategyOptions
            {
                Name = "transient",
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBase,
                MaxDelay = RetryMax,
                ShouldRetryAfterHeader = false,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome) && SpendRetry(args.Context, args.AttemptNumber, MaxRetries)),
            };
            transient.DisableForUnsafeHttpMethods();
            pipeline.AddRetry(transient);
            // Reads only, like the retry: a review POST with many comments may take GitHub longer, and timing it out
            // would turn a slow success into an ambiguous failure. The client's own timeout bounds writes.
            pipeline.AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = static args => ValueTask.FromResult(IsRead(args.Context.GetRequestMessage()) ? AttemptTimeout : Timeout.InfiniteTimeSpan),
            });
        });
        return builder;
    }

    /// <summary>Rate-limit waits alone, for a client whose other failures are its caller's business.</summary>
    public static IHttpClientBuilder AddGitHubRateLimitRetries(this IHttpClientBuilder builder, string pipelineName)
    {
        builder.AddResilienceHandler(pipelineName, static (pipeline, context) =>
        {
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            pipeline.AddRetry(RateLimitRetry(context.ServiceProvider.GetRequiredService<RateLimitGate>()));
        });
        return builder;
    }

    /// <summary>
    /// Asks again after a rate-limit refusal of a read, once the gate opens: the gate has just recorded GitHub's
    /// <c>retry-after</c> or <c>x-ratelimit-reset</c> (or its own wait for a secondary limit that gave neither), so the
    /// delay is the gate's remaining time. A longer wait is not sat out here: the refusal goes out to the gate handler,
    /// which turns it into <see cref="GitHubRateLimitedException"/>.
    /// </summary>
    private static RetryStrategyOptions<HttpResponseMessage> RateLimitRetry(RateLimitGate gate) => new()
    {
        Name = "rate-limit",
        MaxRetryAttempts = MaxRateLimitRetries,
        ShouldHandle = async args =>
        {
            if (args.Outcome.Result is not { } response)
            {
                return false;
            }

            // Every answer is shown to the gate, refused or not: it is the gate's memory of the limit for all requests.
            var kind = await gate.ObserveAsync(response, args.Context.CancellationToken);
            return kind != RateLimitKind.None
                && IsRead(args.Context.GetRequestMessage())
                && gate.Remaining() <= RateLimitGate.MaxInlineWait
                && SpendRetry(args.Context, args.AttemptNumber, MaxRateLimitRetries);
        },
        DelayGenerator = args => ValueTask.FromResult<TimeSpan?>(gate.Remaining()),
    };

    /// <summary>Server errors, a gateway that gave up, a dropped connection or an attempt past its deadline.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result.StatusCode: HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };

    private static bool IsRead(HttpRequestMessage? request) =>
        request?.Method is { } method && (method == HttpMethod.Get || method == HttpMethod.Head);

    /// <summary>
    /// Whether a retry may happen, taking it from the job's budget the request carries. Polly asks on the last attempt
    /// too, which is not retried and so spends nothing. A request without a budget (the identity lookup) is bounded
    /// by the per-request limit alone.
    /// </summary>
    private static bool SpendRetry(ResilienceContext context, int attempt, int maxRetries)
    {
        if (attempt >= maxRetries || context.CancellationToken.IsCancellationRequested)
        {
            return false;
        }

        var request = context.GetRequestMessage();
        return request is null || !request.Options.TryGetValue(RetryBudget.RequestKey, out var budget) || budget.TrySpend();
    }
}
