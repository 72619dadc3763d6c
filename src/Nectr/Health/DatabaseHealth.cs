using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nectr.Data;

namespace Nectr.Health;

/// <summary>
/// The database's two checks and the one state <c>/health</c> and <c>/health/ready</c> report from them:
/// <c>database</c> (<c>AddDbContextCheck</c>: can Nectr connect) and <c>migrations</c> (is the schema this build's).
/// </summary>
internal static class DatabaseHealth
{
    public const string Check = "database";
    public const string MigrationsCheck = "migrations";
    public const string Ok = "ok";
    public const string Unreachable = "unreachable";
    public const string MigrationsPending = "migrations pending";

    private const string StateKey = "nectr.database";

    /// <summary>ok, unreachable or migrations pending; connecting comes first, so a database that is down is never "pending".</summary>
    public static string State(HealthReport report)
    {
        if (report.Entries.TryGetValue(Check, out var connect) && connect.Status != HealthStatus.Healthy)
        {
            return Unreachable;
        }

        return report.Entries.TryGetValue(MigrationsCheck, out var schema) && schema.Status != HealthStatus.Healthy
            ? schema.Data.TryGetValue(StateKey, out var state) && state is string s ? s : Unreachable
            : Ok;
    }

    public static string Reason(string display, string state) =>
        $"database {display} is {state}: check DATABASE_URL and that the server is running";

    /// <summary>The <c>migrations</c> check: a database that connects but lacks migrations this build carries.</summary>
    internal sealed class Migrations(IDbContextFactory<NectrDb> dbs) : IHealthCheck
    {
        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            try
            {
                await using var db = await dbs.CreateDbContextAsync(cancellationToken);
                return (await db.Database.GetPendingMigrationsAsync(cancellationToken)).Any()
                    ? Failed(MigrationsPending, null)
                    : HealthCheckResult.Healthy();
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                return Failed(Unreachable, ex);
            }
        }

        private static HealthCheckResult Failed(string state, Exception? ex) =>
            HealthCheckResult.Unhealthy(state, ex, new Dictionary<string, object> { [StateKey] = state });
    }
}
