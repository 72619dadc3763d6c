using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Health;

/// <summary>
/// <c>/health</c> (overview), <c>/health/live</c> (process up), <c>/health/ready</c> (can take webhooks), on
/// <c>AddHealthChecks</c>: each fact is a named check tagged for the endpoints that report it.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>Checks /health/ready runs: a failing one makes Nectr not ready (503), a degraded one only warns.</summary>
    public const string Ready = "ready";

    /// <summary>Checks /health runs for its <c>database</c> field.</summary>
    public const string Database = "database";

    public static IHostApplicationBuilder AddHealth(this IHostApplicationBuilder builder)
    {
        // AddDbContextCheck takes the context from the request's scope; everything else asks the factory.
        builder.Services.TryAddScoped(sp => sp.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContext());
        builder.Services.AddHealthChecks()
            .AddDbContextCheck<NectrDb>(DatabaseHealth.Check, tags: [Ready, Database])
            .AddCheck<DatabaseHealth.Migrations>(DatabaseHealth.MigrationsCheck, tags: [Ready, Database])
            .AddCheck<WebhookSecretCheck>("webhook-secret", tags: [Ready])
            .AddCheck<GitHubTokenCheck>("github-token", tags: [Ready])
            .AddCheck<SignInCheck>("sign-in", tags: [Ready])
            .AddCheck<KeyRingHealthCheck>("key-ring", tags: [Ready])
            .AddCheck<PlainHttpCheck>("plain-http", tags: [Ready])
            .AddCheck<GitHubRateLimitCheck>("github-rate-limit", tags: [Ready])
            .AddCheck<SignatureFailuresCheck>("webhook-signatures", tags: [Ready])
            .AddCheck<LlmCheck>("llm", tags: [Ready]);
        // The endpoints report every result; a log line per load-balancer probe for a standing warning is noise.
        builder.Logging.AddFilter("Microsoft.Extensions.Diagnostics.HealthChecks", LogLevel.Error);
        return builder;
    }

    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/health", OverviewAsync);
        // Live: the process answers; no check runs, so a broken database never gets the process restarted.
        app.MapHealthChecks("/health/live", new HealthCheckOptions
        {
            Predicate = _ => false,
            ResponseWriter = (context, _) => context.Response.WriteAsJsonAsync(new { status = "alive" }, context.RequestAborted),
        });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = ReadyResponseWriter.WriteAsync,
        });
        return app;
    }

    private static async Task<Ok<HealthResponse>> OverviewAsync(
        IOptions<HostingOptions> hosting, HealthCheckService health, TimeProvider time, StartTime start, CancellationToken cancellationToken)
    {
        var database = DatabaseHealth.State(await health.CheckHealthAsync(check => check.Tags.Contains(Database), cancellationToken));
        return TypedResults.Ok(new HealthResponse(
            database == DatabaseHealth.Ok ? "ok" : "degraded",
            "nectr",
            typeof(HealthEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            hosting.Value.AppEnv,
            (long)(time.GetUtcNow() - start.At).TotalSeconds,
            database));
    }
}

/// <summary>When this process started, for <c>uptime_seconds</c>.</summary>
internal sealed record StartTime(DateTimeOffset At);

internal sealed record HealthResponse(string Status, string Service, string Version, string Environment, long UptimeSeconds, string Database);
