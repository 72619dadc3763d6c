using System.Diagnostics;
using System.Globalization;
using System.Text;
using Nectr.Engine.Diffs;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// In-process throughput of <see cref="UnifiedDiffParser"/> on one large real diff, through both entry points: the
/// UTF-8 bytes as read from disk, and a string (what the service holds: GitHub's patches arrive as JSON strings), which
/// is encoded once and then parsed by the same byte core. Median MB/s over repeated parses after a warm-up, bytes
/// allocated per parse relative to the input, and the process's peak working set.
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

        var bytes = File.ReadAllBytes(args[0]);
        var text = Encoding.UTF8.GetString(bytes);
        var iterations = args.Length == 2 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10;
        var megabytes = bytes.Length / 1_000_000.0;

        Measure("bytes ", () => UnifiedDiffParser.Parse(bytes), megabytes, iterations);
        Measure("string", () => UnifiedDiffParser.Parse(text), megabytes, iterations);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"peak working set {Process.GetCurrentProcess().PeakWorkingSet64 / 1_000_000.0:F0} MB (both inputs held: {megabytes:F1} MB of bytes, {text.Length * 2 / 1_000_000.0:F1} MB of UTF-16)"));
        return 0;
    }

    private static void Measure(string entry, Func<IReadOnlyList<DiffFile>> parse, double megabytes, int iterations)
    {
        var files = parse(); // warm-up (JIT, tiering)
        for (var i = 0; i < 3; i++)
        {
            files = parse();
        }

        // Counted once; each timed parse is then the only one alive, as in the service (which holds one diff at a time),
        // instead of the previous result staying reachable and doubling what every collection during a parse must trace.
        var fileCount = files.Count;
        var lines = files.Sum(f => f.Patch?.Hunks.Sum(h => h.Lines.Count) ?? 0);
        files = null;

        var seconds = new List<double>();
        long allocated = 0;
        var collections = Enumerable.Range(0, 3).Select(GC.CollectionCount).ToArray();
        for (var i = 0; i < iterations; i++)
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            var watch = Stopwatch.StartNew();
            var parsed = parse();
            watch.Stop();
            GC.KeepAlive(parsed);
            allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            seconds.Add(watch.Elapsed.TotalSeconds);
        }

        var perParse = Enumerable.Range(0, 3).Select(g => (GC.CollectionCount(g) - collections[g]) / (double)iterations).ToArray();
        seconds.Sort();
        var median = seconds[seconds.Count / 2];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{entry}: input {megabytes:F1} MB, {fileCount} files, {lines} hunk lines; median {median * 1000:F1} ms = {megabytes / median:F0} MB/s " +
            $"(best {megabytes / seconds[0]:F0}); allocated {allocated / 1_000_000.0:F1} MB per parse ({allocated / (megabytes * 1_000_000):F2}× input); collections per parse gen0 {perParse[0]:F1}, gen1 {perParse[1]:F1}, gen2 {perParse[2]:F1}"));
    }
}
