using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;

namespace Nectr.Health;

/// <summary><c>/health</c> (overview), <c>/health/live</c> (process up), <c>/health/ready</c> (can take webhooks).</summary>
internal static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/health");
        group.MapGet("", OverviewAsync);
        group.MapGet("/live", () => TypedResults.Ok(new { status = "alive" }));
        group.MapGet("/ready", ReadyAsync);
        return app;
    }

    private static async Task<Ok<HealthResponse>> OverviewAsync(
        IOptions<HostingOptions> hosting, IDbContextFactory<NectrDb> dbs, TimeProvider time, StartTime start, CancellationToken cancellationToken)
    {
        var database = await DatabaseStateAsync(dbs, cancellationToken);
        return TypedResults.Ok(new HealthResponse(
            database == "ok" ? "ok" : "degraded",
            "nectr",
            typeof(HealthEndpoints).Assembly.GetName().Version?.ToString(3) ?? "0.0.0",
            hosting.Value.AppEnv,
            (long)(time.GetUtcNow() - start.At).TotalSeconds,
            database));
    }

    private static async Task<Results<Ok<ReadyResponse>, JsonHttpResult<ReadyResponse>>> ReadyAsync(
        HttpContext context,
        IOptions<DatabaseOptions> databaseOptions, IOptions<WebhookOptions> webhooks, IDbContextFactory<NectrDb> dbs, GitHubTokenSource tokens, RateLimitGate rateLimit, TimeProvider time, CancellationToken cancellationToken)
    {
        var reasons = new List<string>();
        var warnings = new List<string>();
        var database = await DatabaseStateAsync(dbs, cancellationToken);
        if (database != "ok")
        {
            reasons.Add($"database {databaseOptions.Value.Connection.Display} is {database}: check DATABASE_URL and that the server is running");
        }

        if (webhooks.Value.Secret is null)
        {
            warnings.Add("GITHUB_WEBHOOK_SECRET is not set: deliveries for repositories without their own secret are refused (401)");
        }

        try
        {
            await tokens.GetTokenAsync(cancellationToken);
        }
        catch (GitHubTokenUnavailableException ex)
        {
            warnings.Add(ex.Message);
        }

        warnings.AddRange(SignInWarnings(context));
        if (context.RequestServices.GetRequiredService<Deployment.PlainHttpRefusals>().Warning() is { } plainHttp)
        {
            warnings.Add(plainHttp);
        }

        if (rateLimit.BlockedUntil is { } until)
        {
            warnings.Add($"GitHub rate limit reached: reviews wait until {until:u}");
        }

        if (database == "ok")
        {
            warnings.AddRange(await SignatureFailureWarningsAsync(dbs, time, context.User.NectrUserId(), cancellationToken));
        }

        var body = new ReadyResponse(reasons.Count == 0 ? "ready" : "not_ready", reasons, warnings);
        return reasons.Count == 0 ? TypedResults.Ok(body) : TypedResults.Json(body, statusCode: StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>
    /// Connected repositories whose deliveries failed signature checks in the last day. <c>/health/ready</c> is public
    /// (load balancers probe it), so it names a repository only to a signed-in user who can see that repository
    /// (<see cref="Auth.RepositoryScope"/>, as on the Settings page); everyone else learns only that some failed.
    /// </summary>
    private static async Task<IEnumerable<string>> SignatureFailureWarningsAsync(IDbContextFactory<NectrDb> dbs, TimeProvider time, long? userId, CancellationToken cancellationToken)
    {
        var since = time.GetUtcNow().UtcDateTime.AddDays(-1);
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var failing = db.Repositories.AsNoTracking()
                .Where(r => r.Connected && r.LastSignatureFailureAt != null && r.LastSignatureFailureAt >= since);
            if (!await failing.AnyAsync(cancellationToken))
            {
                return [];
            }

            var named = userId is { } id
                ? await failing.Where(r => db.VisibleTo(id).Contains(r.FullName))
                    .OrderBy(r => r.FullName)
                    .Select(r => new { r.FullName, r.SignatureFailures, r.LastSignatureFailureAt })
                    .Take(20)
                    .ToListAsync(cancellationToken)
                : [];
            var warnings = named.Select(r =>
                $"{r.FullName}: {r.SignatureFailures} webhook delivery(ies) failed signature verification (last at {DateTime.SpecifyKind(r.LastSignatureFailureAt!.Value, DateTimeKind.Utc):u}): " +
                "the webhook secret on GitHub does not match: Disconnect and Connect again to rotate it").ToList();
            if (named.Count == 0 || await failing.CountAsync(cancellationToken) > named.Count)
            {
                warnings.Add(AnonymousSignatureFailures);
            }

            return warnings;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return [];
        }
    }

    internal const string AnonymousSignatureFailures =
        "webhook deliveries to some connected repositories failed signature verification in the last day: " +
        "sign in and open Settings to see which repositories you can fix (Disconnect and Connect again to rotate the secret)";

    /// <summary>Sign in with GitHub not configured, no allow-list, or stored secrets the key ring cannot open.</summary>
    private static IEnumerable<string> SignInWarnings(HttpContext context) =>
        AuthHealth.Warnings(context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value, context.RequestServices.GetRequiredService<IOptions<HostingOptions>>().Value, context.RequestServices.GetRequiredService<KeyRingHealth>(), context.Request);

    private static async Task<string> DatabaseStateAsync(IDbContextFactory<NectrDb> dbs, CancellationToken cancellationToken)
    {
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            if (!await db.Database.CanConnectAsync(cancellationToken))
            {
                return "unreachable";
            }

            return (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any() ? "migrations pending" : "ok";
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            return "unreachable";
        }
    }
}

/// <summary>When this process started, for <c>uptime_seconds</c>.</summary>
internal sealed record StartTime(DateTimeOffset At);

internal sealed record HealthResponse(string Status, string Service, string Version, string Environment, long UptimeSeconds, string Database);

internal sealed record ReadyResponse(string Status, IReadOnlyList<string> Reasons, IReadOnlyList<string> Warnings);
