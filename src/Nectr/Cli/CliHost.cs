using Nectr.Configuration;
using Nectr.Data;
using Nectr.GitHub;
using Nectr.Issues;
using Nectr.Knowledge;
using Nectr.Llm;
using Nectr.Memory;
using Nectr.Reviews;

namespace Nectr.Cli;

/// <summary>
/// The server's configuration and services on a generic host, without the web server: the same settings (environment,
/// <c>.env</c>, appsettings), the same registrations. The host is built, never started: a command runs to its end and
/// owns Ctrl+C itself (System.CommandLine), so no hosted service or console lifetime gets in the way.
/// </summary>
internal static class CliHost
{
    /// <summary>
    /// GitHub, the model and the review pipeline: what <c>nectr review</c> needs. With DATABASE_URL set, also the
    /// server's database, so a pull-request review knows the project as the service's reviews do (it reads the
    /// database; it never migrates or writes it). Without it the review says which context it went without.
    /// </summary>
    public static IHost ForReview()
    {
        var (builder, options) = Create();
        builder.AddGitHub();
        builder.AddLlm(options.Llm);
        builder.AddReviewPipeline();
        if (Setting.Text(options.Database.UrlText) is not null)
        {
            builder.AddData(options.Database);
            builder.AddKnowledge();
            builder.AddIssues();
            builder.AddMemory();
        }
        else
        {
            builder.Services.AddScoped<LinkedIssueFetcher>(); // GitHub alone: the linked issues still count
        }

        return builder.Build();
    }

    /// <summary>The database named by DATABASE_URL: what <c>nectr migrate</c> needs.</summary>
    public static IHost ForDatabase()
    {
        var (builder, options) = Create();
        builder.AddData(options.Database);
        return builder.Build();
    }

    /// <summary>
    /// Builds the host and runs <paramref name="command"/> on its services: a configuration error is exit code 2 with
    /// every fix, Ctrl+C (the cancelled token) is exit code 130 with one line saying what was cancelled.
    /// </summary>
    public static async Task<int> RunAsync(Func<IHost> build, string what, Func<IServiceProvider, Task<int>> command, TextWriter stderr, CancellationToken cancellationToken)
    {
        IHost host;
        try
        {
            host = build();
        }
        catch (InvalidConfigurationException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return ExitCodes.UsageOrConfiguration;
        }

        using (host)
        {
            try
            {
                // One scope per run, as the worker has one per job: the run's GitHub and model calls share one retry budget.
                await using var scope = host.Services.CreateAsyncScope();
                return await command(scope.ServiceProvider);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // System.CommandLine cancelled the token on SIGINT; every call under the command stopped with it.
                await stderr.WriteLineAsync($"{what} cancelled.");
                return ExitCodes.Cancelled;
            }
        }
    }

    /// <exception cref="InvalidConfigurationException">A setting is wrong; the message lists every fix.</exception>
    private static (HostApplicationBuilder Builder, StartupOptions Options) Create()
    {
        // None of the command's args: the command line is System.CommandLine's, not a configuration source.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            Args = NectrConfiguration.HostArgs(),
            EnvironmentName = NectrConfiguration.HostEnvironmentOf([]),
        });
        var options = builder.AddNectrConfiguration();
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace); // stdout carries the command's output only
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        return (builder, options);
    }
}
