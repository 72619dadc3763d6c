namespace Nectr.Commands;

internal static class CommandsExtensions
{
    /// <summary>PR comment commands: intake reads them (<see cref="CommandIntake"/>), the review worker runs their jobs.</summary>
    public static IHostApplicationBuilder AddCommands(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PullRequestPauses>();
        builder.Services.AddScoped<CommandRunner>();
        return builder;
    }
}
