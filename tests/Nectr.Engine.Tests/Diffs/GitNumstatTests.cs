using System.Buffers;
using System.Diagnostics;
using System.Text;
using Nectr.Engine.Diffs;

namespace Nectr.Engine.Tests.Diffs;

/// <summary>
/// The parser against git itself: a throwaway repository whose history holds the cases the parser must get right,
/// its <c>git log -p</c>, and <c>git apply --numstat</c> of that log beside <see cref="DiffNumstat"/> of our parse.
/// The parser benchmark does the same on 62 MB of jquery's history (docs/PERFORMANCE.md).
/// </summary>
public sealed class GitNumstatTests : IDisposable
{
    private static readonly TimeSpan GitTimeout = TimeSpan.FromSeconds(30);
    private readonly string _repo = Directory.CreateTempSubdirectory("nectr-numstat-").FullName;

    [Fact]
    public void Our_numstat_of_a_git_log_equals_git_apply_numstat_byte_for_byte()
    {
        Git("init", "-q", "-b", "main");
        Commit("first", new()
        {
            ["plain.txt"] = "one\ntwo\nthree\n"u8.ToArray(),
            ["crlf.txt"] = "a\r\nb\r\nc\r\n"u8.ToArray(),
            ["gone.txt"] = "bye\n"u8.ToArray(),
            ["dir with space/file.md"] = "# title\n"u8.ToArray(),
            ["déjà vu.txt"] = "café\n"u8.ToArray(),
            ["logo.bin"] = [0x89, (byte)'P', 0, 1, 2, 0, (byte)'\n'],
        });
        Commit("second", new()
        {
            ["plain.txt"] = "one\n2\nthree\nfour"u8.ToArray(), // and no newline at the end
            ["crlf.txt"] = "a\r\nB\r\nc\r\nd\r\n"u8.ToArray(),
            ["gone.txt"] = null,
            ["dir with space/file.md"] = "# title\n\nbrûlée 😀 €\n"u8.ToArray(),
            ["déjà vu.txt"] = "café\ncrème\n"u8.ToArray(),
            ["logo.bin"] = [0x89, (byte)'P', 0, 9, 9, 0],
            ["latin1.txt"] = [(byte)'o', (byte)'k', (byte)'\n', 0xE9, 0xFF, (byte)'\n', 0xC3, (byte)'\n'],
            ["tab\there.txt"] = "x\n"u8.ToArray(),
        });
        Commit("third", new() { ["latin1.txt"] = [0xE9, (byte)'\n'], ["plain.txt"] = "one\n2\nthree\nfour\n"u8.ToArray() });

        var log = Git("log", "-p", "--no-color", "--no-renames");
        File.WriteAllBytes(Path.Combine(_repo, "history.diff"), log);
        var expected = Encoding.UTF8.GetString(Git("apply", "--numstat", "history.diff"));
        var ours = new ArrayBufferWriter<byte>();
        DiffNumstat.Write(UnifiedDiffParser.Parse(log), ours);

        Assert.Contains("\"d\\303\\251j\\303\\240 vu.txt\"", expected, StringComparison.Ordinal); // the quoting is exercised
        Assert.Contains("-\t-\tlogo.bin", expected, StringComparison.Ordinal);
        Assert.Equal(expected, Encoding.UTF8.GetString(ours.WrittenSpan));
    }

    public void Dispose() => Directory.Delete(_repo, recursive: true);

    private void Commit(string message, Dictionary<string, byte[]?> files)
    {
        foreach (var (path, content) in files)
        {
            var full = Path.Combine(_repo, path);
            if (content is null)
            {
                File.Delete(full);
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllBytes(full, content);
        }

        Git("add", "-A");
        Git("-c", "user.name=Nectr Test", "-c", "user.email=test@example.com", "commit", "-q", "-m", message);
    }

    private byte[] Git(params string[] arguments)
    {
        var start = new ProcessStartInfo("git") { WorkingDirectory = _repo, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["GIT_CONFIG_NOSYSTEM"] = "1";
        start.Environment["GIT_CONFIG_GLOBAL"] = "/dev/null";
        using var git = Process.Start(start)!;
        using var output = new MemoryStream();
        var copy = git.StandardOutput.BaseStream.CopyToAsync(output);
        var errors = git.StandardError.ReadToEndAsync();
        if (!git.WaitForExit(GitTimeout) || !copy.Wait(GitTimeout))
        {
            git.Kill(entireProcessTree: true);
            throw new TimeoutException($"git {string.Join(' ', arguments)} did not finish in {GitTimeout.TotalSeconds} s.");
        }

        Assert.True(git.ExitCode == 0, $"git {string.Join(' ', arguments)} failed: {errors.Result}");
        return output.ToArray();
    }
}
