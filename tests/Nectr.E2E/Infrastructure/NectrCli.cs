using System.Diagnostics;

namespace Nectr.E2E.Infrastructure;

/// <summary>The result of one <c>nectr</c> command run.</summary>
public sealed record CliRun(int ExitCode, string Stdout, string Stderr);

/// <summary>Runs the built Nectr.dll as a command (<c>dotnet Nectr.dll review …</c>) with only the settings the test gives.</summary>
public static class NectrCli
{
    /// <summary>Runs <c>nectr review</c> with <paramref name="args"/>.</summary>
    public static Task<CliRun> RunAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? stdin = null) =>
        RunCommandAsync(["review", .. args], environment, cancellationToken, stdin);

    /// <summary>Runs <c>nectr</c> with <paramref name="args"/> (the command first) and waits for it to exit.</summary>
    public static async Task<CliRun> RunCommandAsync(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment, CancellationToken cancellationToken, string? stdin = null)
    {
        using var process = Start(args, environment);
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        if (stdin is not null)
        {
            await process.StandardInput.WriteAsync(stdin);
        }

        process.StandardInput.Close();
        await WaitForExitAsync(process, cancellationToken);
        return new CliRun(process.ExitCode, await stdout, await stderr);
    }

    /// <summary>Starts <c>nectr</c> with <paramref name="args"/> and only the settings given; the caller reads its output.</summary>
    public static Process Start(IReadOnlyList<string> args, IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Directory.CreateTempSubdirectory("nectr-cli-cwd-").FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Nectr.dll"));
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var key in start.Environment.Keys.Where(NectrProcess.IsNectrSetting).ToList())
        {
            start.Environment.Remove(key);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        return Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started");
    }

    /// <summary>Waits up to a minute; a process still running then is killed and the test fails.</summary>
    public static async Task WaitForExitAsync(Process process, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
    }

    /// <summary>Sends SIGINT, what Ctrl+C in a terminal sends (.NET has no API to send a signal to another process).</summary>
    public static void Interrupt(Process process)
    {
        using var kill = Process.Start("kill", ["-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>Runs git in <paramref name="dir"/> with a fixed identity so commits work on any machine; returns what it printed.</summary>
    public static string Git(string dir, params string[] args)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = dir, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { "-c", "user.name=Nectr Test", "-c", "user.email=test@example.invalid", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false" }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEnd();
        var output = stdout.GetAwaiter().GetResult();
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"git {string.Join(' ', args)} failed: {error}");
        }

        return output;
    }
}
