using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Nectr.Cli;

/// <summary>
/// The <c>nectr</c> commands on System.CommandLine: <c>review</c>, <c>migrate</c> and <c>version</c>, with the library's
/// help, "did you mean" suggestions, completion (<c>[suggest]</c>, for dotnet-suggest) and Ctrl+C cancellation.
/// Without a command the process is the web server, so <see cref="IsCommand"/> decides first.
/// </summary>
internal static class NectrCommandLine
{
    private static readonly string[] HelpAndVersion = ["-h", "--help", "-?", "/?", "/h", "--version"];

    /// <summary>
    /// Whether <paramref name="args"/> ask for a command. The server's own arguments stay the server's: none at all, or
    /// ASP.NET Core's configuration switches (<c>--urls URL</c>, <c>/urls URL</c>, <c>urls=URL</c>). Anything else is a
    /// command, so a mistyped one gets a suggestion instead of a server.
    /// </summary>
    public static bool IsCommand(IReadOnlyList<string> args) =>
        args.Count > 0 && (HelpAndVersion.Contains(args[0], StringComparer.Ordinal) || !(args[0].StartsWith('-') || args[0].StartsWith('/') || args[0].Contains('=', StringComparison.Ordinal)));

    public static async Task<int> RunAsync(IReadOnlyList<string> args)
    {
        var root = new RootCommand("Nectr, a self-hosted AI pull-request reviewer. Without a command it runs the server (dotnet Nectr.dll [--urls URL]).")
        {
            ReviewCommand.Create(),
            MigrateCommand.Create(),
            VersionCommand(),
        };
        root.HelpName = "nectr";

        var parse = root.Parse(args);
        if (parse.Action is ParseErrorAction)
        {
            // A usage mistake: the errors, suggestions and help all go to stderr (stdout carries only a command's output),
            // and the exit code is the one Nectr has always used for usage errors.
            await parse.InvokeAsync(new InvocationConfiguration { Output = Console.Error, Error = Console.Error });
            return ExitCodes.UsageOrConfiguration;
        }

        // Ctrl+C cancels the command's token; commands end promptly with their own message and exit code 130. The
        // timeout only bounds how long a command may take to wind down before the process exits anyway.
        return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = TimeSpan.FromSeconds(10) });
    }

    /// <summary>The informational version: the package version and, in a build from git, the commit.</summary>
    public static string Version =>
        typeof(NectrCommandLine).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    private static Command VersionCommand()
    {
        var command = new Command("version", "Print Nectr's version.");
        command.SetAction(parse => parse.InvocationConfiguration.Output.WriteLine(Version));
        return command;
    }
}
