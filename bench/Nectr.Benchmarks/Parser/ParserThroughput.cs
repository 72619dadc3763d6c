using System.Diagnostics;
using System.Globalization;
using Nectr.Engine.Diffs;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// In-process throughput of <see cref="UnifiedDiffParser"/> on one large real diff: median MB/s over repeated
/// parses after a warm-up, bytes allocated per parse relative to the input, and the process's peak working set.
/// </summary>
internal static class ParserThroughput
{
    public static int Run(string[] args)
    {
        if (args.Length is < 1 or > 2)
        {
            Console.Error.WriteLine("usage: parser DIFF_FILE [ITERATIONS]");
            return 2;
        }

        var diff = File.ReadAllText(args[0]);
        var iterations = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var megabytes = new FileInfo(args[0]).Length / 1_000_000.0;

        var files = UnifiedDiffParser.Parse(diff); // warm-up (JIT, tiering)
        for (var i = 0; i < 3; i++)
        {
            files = UnifiedDiffParser.Parse(diff);
        }

        var seconds = new List<double>();
        long allocated = 0;
        for (var i = 0; i < iterations; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            files = UnifiedDiffParser.Parse(diff);
            watch.Stop();
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            seconds.Add(watch.Elapsed.TotalSeconds);
        }

        seconds.Sort();
        var median = seconds[seconds.Count / 2];
        var lines = files.Sum(f => f.Patch?.Hunks.Sum(h => h.Lines.Count) ?? 0);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"input {megabytes:F1} MB, {files.Count} files, {lines} hunk lines; median {median * 1000:F1} ms = {megabytes / median:F0} MB/s " +
            $"(best {megabytes / seconds[0]:F0}); allocated {allocated / 1_000_000.0:F1} MB per parse ({allocated / (megabytes * 1_000_000):F2}× input); " +
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_000_000.0:F0} MB"));
        return 0;
    }
}
