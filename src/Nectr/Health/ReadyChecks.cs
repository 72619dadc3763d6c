using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Deployment;
using Nectr.GitHub;

namespace Nectr.Health;

// The named checks behind /health/ready that only warn: each is degraded (readiness unchanged, 200) with its fix.
// None calls out of the process except the GitHub token check, which asks `gh auth token` outside production as before.

/// <summary><c>webhook-secret</c>: no fallback secret means deliveries for repositories without their own are refused.</summary>
internal sealed class WebhookSecretCheck(IOptions<WebhookOptions> webhooks) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(webhooks.Value.Secret is null
            ? ReadyNote.Warn("GITHUB_WEBHOOK_SECRET is not set: deliveries for repositories without their own secret are refused (401)")
            : HealthCheckResult.Healthy());
}

/// <summary><c>github-token</c>: Nectr has a token to read pull requests and post reviews with.</summary>
internal sealed class GitHubTokenCheck(GitHubTokenSource tokens) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await tokens.EnsureAvailableAsync(cancellationToken);
            return HealthCheckResult.Healthy(tokens.Mode);
        }
        catch (GitHubTokenUnavailableException ex)
        {
            return ReadyNote.Warn(ex.Message);
        }
    }
}

/// <summary><c>github-rate-limit</c>: GitHub's rate limit holds reviews back until it resets.</summary>
internal sealed class GitHubRateLimitCheck(RateLimitGate rateLimit) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(rateLimit.BlockedUntil is { } until
            ? ReadyNote.Warn($"GitHub rate limit reached: reviews wait until {until:u}")
            : HealthCheckResult.Healthy());
}

/// <summary><c>sign-in</c>: Sign in with GitHub not configured, or open to every GitHub user (<see cref="AuthHealth"/>).</summary>
internal sealed class SignInCheck(IOptions<AuthOptions> auth, IOptions<HostingOptions> hosting) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var notes = AuthHealth.Warnings(auth.Value, hosting.Value).Select(w => (ReadyNote)new RequestNote(w)).ToList();
        return Task.FromResult(notes.Count == 0 ? HealthCheckResult.Healthy() : ReadyNote.Result(HealthStatus.Degraded, notes));
    }
}

/// <summary><c>key-ring</c>: what the start-up key ring check found outside production (<see cref="KeyRingCheck"/>).</summary>
internal sealed class KeyRingHealthCheck(KeyRingHealth keyRing) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(keyRing.Warning is { } problem ? ReadyNote.Warn(problem) : HealthCheckResult.Healthy());
}

/// <summary><c>plain-http</c>: production refused a request over plain HTTP in the last hour (<see cref="PlainHttpRefusals"/>).</summary>
internal sealed class PlainHttpCheck(PlainHttpRefusals refusals) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(refusals.Warning() is { } warning ? ReadyNote.Warn(warning) : HealthCheckResult.Healthy());
}

/// <summary>
/// <c>llm</c>: can the model be reached, as the last real call found (<see cref="Llm.LlmReachability"/>). It makes no call
/// of its own: a probe would cost tokens on every load-balancer poll. A failing provider only warns — webhooks are still
/// taken and the queue retries or parks the reviews with the reason — and the warning clears on the next answer.
/// </summary>
internal sealed class LlmCheck(IOptions<LlmOptions> llm, Llm.LlmReachability reachability) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var options = llm.Value;
        if (!options.Enabled)
        {
            return Task.FromResult(HealthCheckResult.Healthy("LLM_PROVIDER=none: the built-in checks are the whole review"));
        }

        var provider = $"{Llm.LlmFailures.ProviderName(options)} model {options.Model}";
        return Task.FromResult(reachability.Last switch
        {
            null => HealthCheckResult.Healthy($"{provider}: not called yet"),
            { Failure: null } answered => HealthCheckResult.Healthy($"{provider}: answered at {answered.At:u}"),
            { Permanent: true } refused => ReadyNote.Warn($"The LLM refused the last review call at {refused.At:u}, and waiting will not fix it: {refused.Failure} Reviews are parked with this reason until it is fixed; retry them from the Activity page."),
            var failed => ReadyNote.Warn($"The LLM did not answer the last review call at {failed.At:u}: {failed.Failure}"),
        });
    }
}
