using BenchmarkDotNet.Attributes;
using Nectr.Engine.Diffs;

namespace Nectr.Benchmarks.Parser;

/// <summary>
/// BenchmarkDotNet view of the parsers: a whole multi-file diff (NECTR_BENCH_DIFF, a real history) and the
/// per-file GitHub patch path that reviews use.
/// </summary>
[MemoryDiagnoser]
public class PatchParserBenchmarks
{
    private string _diff = "";
    private byte[] _bytes = [];
    private string[] _patches = [];

    [GlobalSetup]
    public void Setup()
    {
        var path = Environment.GetEnvironmentVariable("NECTR_BENCH_DIFF")
            ?? throw new InvalidOperationException("Set NECTR_BENCH_DIFF to a large diff file (see docs/PERFORMANCE.md).");
        _bytes = File.ReadAllBytes(path);
        _diff = System.Text.Encoding.UTF8.GetString(_bytes);
        // The per-file patches GitHub would send: the hunks of each file, without git's headers.
        _patches = UnifiedDiffParser.Parse(_diff)
            .Where(f => f.Patch is { Hunks.Count: > 0 })
            .Take(2000)
            .Select(f => HunksText(f.Patch!))
            .ToArray();
    }

    [Benchmark(Description = "UnifiedDiffParser: whole diff, UTF-8 bytes")]
    public int WholeDiffBytes() => UnifiedDiffParser.Parse(_bytes).Count;

    [Benchmark(Description = "UnifiedDiffParser: whole diff, string")]
    public int WholeDiff() => UnifiedDiffParser.Parse(_diff).Count;

    [Benchmark(Description = "PatchParser: 2,000 GitHub file patches")]
    public int FilePatches()
    {
        var lines = 0;
        foreach (var patch in _patches)
        {
            lines += PatchParser.Parse(patch).Additions;
        }

        return lines;
    }

    private static string HunksText(FilePatch patch)
    {
        var first = patch.Hunks[0].Lines.Count > 0 ? patch.Hunks[0].Lines[0].Start : 0;
        var start = patch.Text.LastIndexOf("@@ -", first, StringComparison.Ordinal);
        var last = patch.Hunks[^1].Lines.Count > 0 ? patch.Hunks[^1].Lines[^1] : default;
        var end = last.Start + last.Length;
        return patch.Text[start..end];
    }
}
