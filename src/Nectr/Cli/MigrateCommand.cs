using System.CommandLine;
using Microsoft.Extensions.Options;
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

    private static Task<int> RunAsync(TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken) =>
        // Cancelled midway, what was applied stays (each migration commits on its own) and the rest is applied next time.
        CliHost.RunAsync(CliHost.ForDatabase, "Migration", services => MigrateAsync(services, stdout, stderr, cancellationToken), stderr, cancellationToken);

    private static async Task<int> MigrateAsync(IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        if (await DatabaseStartup.WaitUntilReachableAsync(services, cancellationToken) is { } problem)
        {
            await stderr.WriteLineAsync("Nectr cannot migrate: " + problem);
            return ExitCodes.UsageOrConfiguration;
        }

        var pending = await services.MigrateDatabaseAsync(cancellationToken);
        var database = services.GetRequiredService<IOptions<DatabaseOptions>>().Value.Connection.Display;
        await stdout.WriteLineAsync(pending.Count == 0
            ? $"{database} is up to date; no migration to apply."
            : $"Applied {pending.Count} migration(s) to {database}: {string.Join(", ", pending)}.");
        return ExitCodes.Ok;
    }
}
