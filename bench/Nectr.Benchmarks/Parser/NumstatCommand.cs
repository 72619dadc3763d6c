using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nectr.Engine.Diffs;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// Prints what <c>git apply --numstat</c> prints for the same diff: "added	deleted	path" per file, "-	-	path" for
/// binaries. Comparing the two outputs checks the parser against git on real history; timing the two commands
/// compares them whole (start-up, read, parse, print).
/// </summary>
internal static class NumstatCommand
{
    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2 || (args.Length == 2 && args[1] != "--timings"))
        {
            Console.Error.WriteLine("usage: numstat DIFF_FILE [--timings]");
            return 2;
        }

        var watch = Stopwatch.StartNew();
        // One read and one decode: File.ReadAllText goes through a StreamReader and a growing StringBuilder,
        // which costs more than the parse itself on a large input.
        var diff = Encoding.UTF8.GetString(File.ReadAllBytes(args[0]));
        var read = watch.Elapsed;
        var files = UnifiedDiffParser.Parse(diff);
        var parsed = watch.Elapsed;
        var output = new StringBuilder(diff.Length / 50);
        foreach (var file in files)
        {
            var path = file.Status == DiffFileStatus.Deleted ? file.OldPath : file.NewPath;
            if (file.IsBinary)
            {
                output.Append("-\t-\t").Append(path).Append('\n');
            }
            else
            {
                output.Append(file.Patch?.Additions ?? 0).Append('\t').Append(file.Patch?.Deletions ?? 0).Append('\t').Append(path).Append('\n');
            }
        }

        using var stdout = Console.OpenStandardOutput();
        stdout.Write(Encoding.UTF8.GetBytes(output.ToString()));
        if (args.Length == 2)
        {
            // Where a cold process spends its time, next to the runtime's own start-up (measured outside).
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"read+decode {read.TotalMilliseconds:F0} ms, parse (cold, JIT included) {(parsed - read).TotalMilliseconds:F0} ms, print {(watch.Elapsed - parsed).TotalMilliseconds:F0} ms"));
        }

        return 0;
    }
}
