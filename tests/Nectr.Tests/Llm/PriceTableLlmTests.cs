using Nectr.Configuration;
using Nectr.Llm;

namespace Nectr.Tests.Llm;

public sealed class PriceTableLlmTests
{
    private static readonly PriceTable Table = new(new Dictionary<string, ModelPrice>(StringComparer.OrdinalIgnoreCase)
    {
        ["gpt-4.1"] = new(1m, 4m),
        ["llama3.1:8b"] = new(0m, 0m),
    });

    [Theory]
    [InlineData("claude-sonnet-4-5", 3, 15)]
    [InlineData("claude-sonnet-4-5-20250929", 3, 15)]
    [InlineData("claude-sonnet-4-20250514", 3, 15)]
    [InlineData("gpt-4.1-mini-2025-04-14", 0.4, 1.6)]
    [InlineData("gpt-4.1", 1, 4)] // overridden by LLM_PRICES
    [InlineData("llama3.1:8b", 0, 0)]
    public void Known_models_and_their_snapshots_have_prices(string model, double input, double output)
    {
        Assert.Equal(new ModelPrice((decimal)input, (decimal)output), Table.Find(model));
    }

    [Theory]
    [InlineData("claude-sonnet-4-6")]
    [InlineData("qwen2.5-coder")]
    public void Unknown_models_have_no_price_rather_than_a_guess(string model)
    {
        Assert.Null(Table.Cost(model, 1000, 1000));
        Assert.Equal("price unknown", PriceTable.Format(Table.Cost(model, 1000, 1000)));
    }

    [Fact]
    public void Cost_is_tokens_times_the_price_per_million()
    {
        Assert.Equal(3.75m, Table.Cost("claude-sonnet-4-5", 1_000_000, 50_000));
        Assert.Equal("$3.75", PriceTable.Format(3.75m));
        Assert.Equal("$0.0081", PriceTable.Format(0.0081m));
    }
}
