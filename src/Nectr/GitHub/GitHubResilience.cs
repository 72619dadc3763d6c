using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Timeout;

namespace Nectr.GitHub;

/// <summary>
/// Transient-failure retries for GitHub reads, on the GitHub client's handler pipeline (Microsoft.Extensions.Http.Resilience,
/// Polly underneath). Only GET and HEAD are retried: a write is never repeated blindly (the review POST looks for its
/// own marker before posting again, see <c>Reviews/ReviewRunner.cs</c>). Rate limits are not transient failures here;
/// <see cref="RateLimitHandler"/>, outside this handler, owns them.
/// </summary>
internal static class GitHubResilience
{
    public const string PipelineName = "github-reads";

    /// <summary>Attempts after the first one, within one job attempt: a 502 costs a second of waiting, not a job retry.</summary>
    internal const int MaxRetries = 3;

    internal static readonly TimeSpan RetryBase = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan RetryMax = TimeSpan.FromSeconds(8);

    /// <summary>GitHub ends its own work on a REST request after 10 s; a read silent for longer is gone.</summary>
    internal static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(15);

    /// <summary>The whole call: every attempt and wait, and waits at the rate-limit gate (at most <see cref="RateLimitHandler.MaxInlineWait"/> each).</summary>
    internal static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(100);

    public static IHttpClientBuilder AddGitHubReadRetries(this IHttpClientBuilder builder)
    {
        builder.AddResilienceHandler(PipelineName, static (pipeline, context) =>
        {
            // The app's clock, so tests drive the backoff with a FakeTimeProvider instead of waiting.
            pipeline.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            var retry = new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = RetryBase,
                MaxDelay = RetryMax,
                ShouldRetryAfterHeader = false,
                ShouldHandle = static args => ValueTask.FromResult(IsTransient(args.Outcome)),
            };
            retry.DisableForUnsafeHttpMethods();
            pipeline.AddRetry(retry);
            // Reads only, like the retry: a review POST with many comments may take GitHub longer, and timing it out
            // would turn a slow success into an ambiguous failure. The client's own timeout bounds writes.
            pipeline.AddTimeout(new TimeoutStrategyOptions
            {
                TimeoutGenerator = static args => ValueTask.FromResult(
                    args.Context.GetRequestMessage()?.Method is { } method && (method == HttpMethod.Get || method == HttpMethod.Head)
                        ? AttemptTimeout
                        : Timeout.InfiniteTimeSpan),
            });
        });
        return builder;
    }

    /// <summary>Server errors, a gateway that gave up, a dropped connection or an attempt past its deadline.</summary>
    internal static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or TimeoutRejectedException } => true,
        { Result.StatusCode: HttpStatusCode.InternalServerError or HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout } => true,
        _ => false,
    };
}
