using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Nectr.Auth;
using Nectr.Data;

namespace Nectr.Health;

/// <summary>
/// <c>webhook-signatures</c>: connected repositories whose deliveries failed signature checks in the last day.
/// <c>/health/ready</c> is public (load balancers probe it), so the note names a repository only to a signed-in user who
/// can see that repository (<see cref="RepositoryScope"/>, as on the Settings page); everyone else learns only that some failed.
/// </summary>
internal sealed class SignatureFailuresCheck(IDbContextFactory<NectrDb> dbs, TimeProvider time) : IHealthCheck
{
    internal const string AnonymousSignatureFailures =
        "webhook deliveries to some connected repositories failed signature verification in the last day: " +
        "sign in and open Settings to see which repositories you can fix (Disconnect and Connect again to rotate the secret)";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var since = time.GetUtcNow().UtcDateTime.AddDays(-1);
        try
        {
            await using var db = await dbs.CreateDbContextAsync(cancellationToken);
            var failing = await db.Repositories.AsNoTracking()
                .Where(r => r.Connected && r.LastSignatureFailureAt != null && r.LastSignatureFailureAt >= since)
                .Select(r => new FailingRepository(r.FullName, r.SignatureFailures, r.LastSignatureFailureAt!.Value))
                .ToListAsync(cancellationToken);
            return failing.Count == 0 ? HealthCheckResult.Healthy() : ReadyNote.Result(HealthStatus.Degraded, new SignatureFailuresNote(failing));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The database check reports a database that cannot answer; this one has nothing to add then.
            return HealthCheckResult.Healthy();
        }
    }

    internal sealed record FailingRepository(string FullName, int Failures, DateTime LastAt);

    /// <summary>Names the failing repositories the reader can see (20 at most), and says that others failed when some stay unnamed.</summary>
    private sealed record SignatureFailuresNote(IReadOnlyList<FailingRepository> Failing) : ReadyNote
    {
        private const int MaxNamed = 20;

        public override async ValueTask<IEnumerable<string>> RenderAsync(HttpContext reader, CancellationToken cancellationToken)
        {
            List<FailingRepository> named = [];
            if (reader.User.NectrUserId() is { } userId)
            {
                var names = Failing.Select(f => f.FullName).ToList();
                var dbs = reader.RequestServices.GetRequiredService<IDbContextFactory<NectrDb>>();
                await using var db = await dbs.CreateDbContextAsync(cancellationToken);
                var visible = (await db.VisibleTo(userId).Where(n => names.Contains(n)).ToListAsync(cancellationToken)).ToHashSet(StringComparer.Ordinal);
                named = Failing.Where(f => visible.Contains(f.FullName)).OrderBy(f => f.FullName, StringComparer.Ordinal).Take(MaxNamed).ToList();
            }

            var lines = named.Select(r =>
                $"{r.FullName}: {r.Failures} webhook delivery(ies) failed signature verification (last at {DateTime.SpecifyKind(r.LastAt, DateTimeKind.Utc):u}): " +
                "the webhook secret on GitHub does not match: Disconnect and Connect again to rotate it").ToList();
            if (named.Count < Failing.Count)
            {
                lines.Add(AnonymousSignatureFailures);
            }

            return lines;
        }
    }
}
