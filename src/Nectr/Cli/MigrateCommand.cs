using System.CommandLine;
using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Cli;

/// <summary>
/// <c>nectr migrate</c>: applies the migrations the database named by DATABASE_URL lacks, then exits, so a deployment
/// can migrate before it starts servers. Reaching the database works as at the server's start-up: an unreachable one
/// is waited for (DATABASE_WAIT_SECONDS), then refused with exit code 2 and the fix.
/// </summary>
internal static class MigrateCommand
{
    public static Command Create()
    {
        var command = new Command("migrate", "Apply the database migrations DATABASE_URL lacks and exit (the server also applies them at start-up).");
        command.SetAction((parse, cancellationToken) => RunAsync(parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error, cancellationToken));
        return command;
    }

    private static async Task<int> RunAsync(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        IHost host;
        try
        {
            host = CliHost.ForDatabase();
        }
        catch (InvalidConfigurationException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return ExitCodes.UsageOrConfiguration;
        }

        using (host)
        {
            var database = host.Services.GetRequiredService<NectrOptions>().Database.Display;
            try
            {
                if (await DatabaseStartup.WaitUntilReachableAsync(host.Services, cancellationToken) is { } problem)
                {
                    await stderr.WriteLineAsync("Nectr cannot migrate: " + problem);
                    return ExitCodes.UsageOrConfiguration;
                }

                var pending = await PendingAsync(host.Services, cancellationToken);
                await host.Services.MigrateDatabaseAsync(cancellationToken);
                await stdout.WriteLineAsync(pending.Count == 0
                    ? $"{database} is up to date; no migration to apply."
                    : $"Applied {pending.Count} migration(s) to {database}: {string.Join(", ", pending)}.");
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Each migration runs in its own transaction: what was applied stays, the rest is applied next time.
                await stderr.WriteLineAsync("Migration cancelled.");
                return ExitCodes.Cancelled;
            }
        }
    }

    private static async Task<IReadOnlyList<string>> PendingAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(cancellationToken);
        return [.. await db.Database.GetPendingMigrationsAsync(cancellationToken)];
    }
}
