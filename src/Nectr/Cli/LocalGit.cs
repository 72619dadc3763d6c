using System.Diagnostics;

namespace Nectr.Cli;

/// <summary>Reads a local repository with the git command line. Never runs anything from the repository itself.</summary>
internal static class LocalGit
{
    public static async Task<string> RunAsync(string repoDir, IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("git")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // No pager, no external diff or textconv drivers: a repository's config must not make us run its programs.
        foreach (var arg in new[] { "-C", repoDir, "-c", "core.pager=cat", "-c", "diff.external=" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        start.Environment["GIT_PAGER"] = "cat";
        start.Environment["GIT_EXTERNAL_DIFF"] = "";
        using var process = Process.Start(start) ?? throw new CliException(ExitCodes.Failure, "Could not start git; is it installed?");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var error = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        return process.ExitCode == 0
            ? await output
            : throw new CliException(ExitCodes.Failure, $"git {string.Join(' ', args)} failed in {repoDir}: {(await error).Trim()}");
    }

    /// <summary>What a pull request from HEAD into BASE would show: changes since the merge base, like GitHub.</summary>
    public static Task<string> DiffAsync(string repoDir, string baseRef, string headRef, CancellationToken cancellationToken) =>
        RunAsync(repoDir, ["diff", "--no-color", "--no-ext-diff", "--no-textconv", "-M", $"{baseRef}...{headRef}", "--"], cancellationToken);

    public static async Task<IReadOnlyList<string>> CommitMessagesAsync(string repoDir, string baseRef, string headRef, CancellationToken cancellationToken)
    {
        var log = await RunAsync(repoDir, ["log", "--reverse", "--format=%B%x00", $"{baseRef}..{headRef}", "--"], cancellationToken);
        return log.Split('\0', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    public static async Task<string> ResolveAsync(string repoDir, string rev, CancellationToken cancellationToken) =>
        (await RunAsync(repoDir, ["rev-parse", "--verify", "--end-of-options", rev + "^{commit}"], cancellationToken)).Trim();
}

/// <summary>A command-line failure with the exit code and the message to print.</summary>
internal sealed class CliException(int exitCode, string message) : Exception(message)
{
    public int ExitCode { get; } = exitCode;
}
