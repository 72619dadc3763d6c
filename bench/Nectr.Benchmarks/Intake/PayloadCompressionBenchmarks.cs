using System.IO.Compression;
using System.Text.Json.Nodes;
using BenchmarkDotNet.Attributes;
using Nectr.Data;

namespace Nectr.Benchmarks.Intake;

/// <summary>
/// Issue #13, "store the payload compressed (Brotli or zstd, measured)": what intake pays per delivery to compress
/// its body, and what it saves in bytes written, for Brotli at the quality intake uses (1, through
/// <see cref="DeliveryPayload.Compress"/>, the baseline) and around it, against zstd (ZstdSharp.Port) at levels 1 and 3.
/// Inputs are GitHub's example payloads as GitHub sends them, compact JSON (the load driver sends the same):
/// the 23.7 KB <c>pull_request.synchronize</c> alone, and all 99 examples one after another.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class PayloadCompressionBenchmarks : IDisposable
{
    public enum Input { SynchronizeOnly, AllExamples }

    private byte[][] _bodies = [];
    private readonly byte[] _destination = new byte[1 << 22];
    private ZstdSharp.Compressor _zstd1 = null!;
    private ZstdSharp.Compressor _zstd3 = null!;

    [ParamsAllValues]
    public Input Bodies { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var folder = Path.Combine(RepositoryRoot(), "tests", "Nectr.Tests", "Fixtures", "webhooks");
        var files = Bodies == Input.SynchronizeOnly
            ? [Path.Combine(folder, "pull_request.synchronize.json")]
            : Directory.GetFiles(folder, "*.json").Order(StringComparer.Ordinal).ToArray();
        _bodies = [.. files.Select(f => System.Text.Encoding.UTF8.GetBytes(JsonNode.Parse(File.ReadAllBytes(f))!.ToJsonString()))];
        _zstd1 = new ZstdSharp.Compressor(1);
        _zstd3 = new ZstdSharp.Compressor(3);
        Console.WriteLine($"// {_bodies.Length} bodies, {_bodies.Sum(b => (long)b.Length):N0} bytes; compressed: "
            + $"brotli q1 {Sum(b => DeliveryPayload.Compress(b).Length):N0}, q0 {Sum(b => Brotli(b, 0)):N0}, q4 {Sum(b => Brotli(b, 4)):N0}, "
            + $"zstd 1 {Sum(b => _zstd1.Wrap(b, _destination)):N0}, zstd 3 {Sum(b => _zstd3.Wrap(b, _destination)):N0}");
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _zstd1?.Dispose();
        _zstd3?.Dispose();
        GC.SuppressFinalize(this);
    }

    [Benchmark(Baseline = true, Description = "Brotli q1 (intake)")]
    public long BrotliQuality1() => Sum(b => DeliveryPayload.Compress(b).Length);

    [Benchmark(Description = "Brotli q0")]
    public long BrotliQuality0() => Sum(b => Brotli(b, 0));

    [Benchmark(Description = "Brotli q4")]
    public long BrotliQuality4() => Sum(b => Brotli(b, 4));

    [Benchmark(Description = "zstd 1")]
    public long Zstd1() => Sum(b => _zstd1.Wrap(b, _destination));

    [Benchmark(Description = "zstd 3")]
    public long Zstd3() => Sum(b => _zstd3.Wrap(b, _destination));

    private int Brotli(byte[] body, int quality) =>
        BrotliEncoder.TryCompress(body, _destination, out var written, quality, 22) ? written : throw new InvalidOperationException("Brotli failed.");

    private long Sum(Func<byte[], int> compress)
    {
        long total = 0;
        foreach (var body in _bodies)
        {
            total += compress(body);
        }

        return total;
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Nectr.slnx")))
            {
                return directory.FullName;
            }
        }

        throw new DirectoryNotFoundException("Run the benchmarks from inside the repository (Nectr.slnx not found above " + AppContext.BaseDirectory + ").");
    }
}
