using Nectr.Engine.Budget;

namespace Nectr.Engine.Tests.Budget;

public sealed class TokenCounterTests
{
    [Fact]
    public void Counts_with_the_o200k_vocabulary()
    {
        Assert.Equal(0, O200kTokenCounter.Shared.Count(""));
        Assert.Equal(2, O200kTokenCounter.Shared.Count("hello world"));
        Assert.True(O200kTokenCounter.Shared.Count("public sealed record Finding(string File, int Line);") > 8);
    }

    [Fact]
    public void Concurrent_counts_equal_sequential_counts()
    {
        var texts = Enumerable.Range(0, 200).Select(i => $"var value{i} = Compute(input{i}, \"{new string('x', i % 17)}\");").ToArray();
        var expected = texts.Select(O200kTokenCounter.Shared.Count).ToArray();

        var actual = new int[texts.Length];
        Parallel.For(0, texts.Length * 10, i => actual[i % texts.Length] = O200kTokenCounter.Shared.Count(texts[i % texts.Length]));

        Assert.Equal(expected, actual);
    }
}
