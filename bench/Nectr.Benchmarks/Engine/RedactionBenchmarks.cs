using BenchmarkDotNet.Attributes;
using Nectr.Engine.Checks.Secrets;

namespace Nectr.Benchmarks.Engine;

/// <summary>
/// Issue #13: the redactor with each rule on windows around its keywords against the same core scanning every rule
/// over the whole text (every rule's reach taken as unknown), side by side in one run, on every patch of the two
/// synthetic PRs of <see cref="EngineBenchmarks"/> (the texts the renderer redacts, one per file). The spans are the
/// same (<c>SecretWindowDifferentialTests</c>); this shows what the windows save.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
[MinColumn]
[SimpleJob(launchCount: 1, warmupCount: 3, iterationCount: 10)]
public class RedactionBenchmarks
{
    private string[] _patches = [];

    [ParamsAllValues]
    public EngineBenchmarks.PullRequest Shape { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var request = Shape == EngineBenchmarks.PullRequest.ThousandLines ? SyntheticPullRequests.ThousandLines() : SyntheticPullRequests.ThreeThousandFiles();
        _patches = [.. request.Files.Select(f => f.Patch).OfType<string>()];
    }

    [Benchmark(Baseline = true, Description = "every rule over the whole text")]
    public int WholeText() => _patches.Sum(p => SecretCheck.Default.FindSecrets(p, static _ => null).Count);

    [Benchmark(Description = "rules on keyword windows")]
    public int Windows() => _patches.Sum(p => SecretCheck.Default.FindSecrets(p).Count);
}
