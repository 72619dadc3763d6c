using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using Nectr.Engine.Diffs;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// Prints what <c>git apply --numstat</c> prints for the same diff (<see cref="DiffNumstat"/>). Comparing the two
/// outputs checks the parser against git on real history; timing the two commands compares them whole (start-up,
/// read, parse, print).
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
        // The file mapped, not read into an array, and no decoding: the parser reads UTF-8, and only rendering (which
        // numstat never does) decodes text.
        MappedFile mapped;
        try
        {
            mapped = new MappedFile(args[0]);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"numstat: cannot read {args[0]}: {e.Message}");
            return 1;
        }

        using var mapping = mapped;
        var diff = mapped.Memory;
        var read = watch.Elapsed;
        var files = UnifiedDiffParser.Parse(diff);
        var parsed = watch.Elapsed;
        var output = new ArrayBufferWriter<byte>(Math.Max(256, files.Count * 48));
        DiffNumstat.Write(files, output);
        using (var stdout = Console.OpenStandardOutput())
        {
            stdout.Write(output.WrittenSpan);
        }

        if (args.Length == 2)
        {
            // Where a cold process spends its time, next to the runtime's own start-up (measured outside).
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"read {read.TotalMilliseconds:F0} ms, parse (cold, JIT included) {(parsed - read).TotalMilliseconds:F0} ms, print {(watch.Elapsed - parsed).TotalMilliseconds:F0} ms"));
        }

        GC.KeepAlive(files);
        return 0;
    }
}
