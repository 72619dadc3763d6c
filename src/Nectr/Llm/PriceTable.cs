using System.Globalization;
using System.Text.RegularExpressions;
using Nectr.Configuration;

namespace Nectr.Llm;

/// <summary>
/// What tokens cost, in USD, for the models Nectr is commonly run with; <c>LLM_PRICES</c> replaces or extends it.
/// A dated snapshot (<c>claude-sonnet-4-5-20250929</c>, <c>gpt-4.1-2025-04-14</c>) costs what its model costs;
/// any other unknown model has no price, shown as "price unknown" rather than a guess.
/// </summary>
internal sealed partial class PriceTable
{
    /// <summary>List prices per million input/output tokens (standard tier, no caching or batch discounts).</summary>
    private static readonly Dictionary<string, ModelPrice> BuiltIn = new(StringComparer.OrdinalIgnoreCase)
    {
        ["claude-opus-4-5"] = new(5m, 25m),
        ["claude-opus-4-1"] = new(15m, 75m),
        ["claude-opus-4"] = new(15m, 75m),
        ["claude-sonnet-4-5"] = new(3m, 15m),
        ["claude-sonnet-4"] = new(3m, 15m),
        ["claude-3-7-sonnet"] = new(3m, 15m),
        ["claude-haiku-4-5"] = new(1m, 5m),
        ["claude-3-5-haiku"] = new(0.8m, 4m),
        ["claude-3-haiku"] = new(0.25m, 1.25m),
        ["gpt-5"] = new(1.25m, 10m),
        ["gpt-5-mini"] = new(0.25m, 2m),
        ["gpt-5-nano"] = new(0.05m, 0.4m),
        ["gpt-4.1"] = new(2m, 8m),
        ["gpt-4.1-mini"] = new(0.4m, 1.6m),
        ["gpt-4.1-nano"] = new(0.1m, 0.4m),
        ["gpt-4o"] = new(2.5m, 10m),
        ["gpt-4o-mini"] = new(0.15m, 0.6m),
        ["o3"] = new(2m, 8m),
        ["o4-mini"] = new(1.1m, 4.4m),
    };

    private readonly Dictionary<string, ModelPrice> _prices;

    public PriceTable(IReadOnlyDictionary<string, ModelPrice> overrides)
    {
        _prices = new Dictionary<string, ModelPrice>(BuiltIn, StringComparer.OrdinalIgnoreCase);
        foreach (var (model, price) in overrides)
        {
            _prices[model] = price;
        }
    }

    public ModelPrice? Find(string model)
    {
        if (_prices.TryGetValue(model, out var exact))
        {
            return exact;
        }

        var snapshot = SnapshotSuffix().Match(model);
        return snapshot.Success && _prices.TryGetValue(model[..snapshot.Index], out var price) ? price : null;
    }

    /// <summary>Cost in USD, or null when the model has no known price.</summary>
    public decimal? Cost(string model, long inputTokens, long outputTokens) =>
        Find(model) is { } price
            ? ((inputTokens * price.InputPerMillion) + (outputTokens * price.OutputPerMillion)) / 1_000_000m
            : null;

    public decimal? Cost(LlmReply reply) => Cost(reply.Model, reply.InputTokens, reply.OutputTokens);

    public static string Format(decimal? cost) =>
        cost is { } usd ? "$" + usd.ToString(usd < 0.01m ? "0.0000" : "0.00", CultureInfo.InvariantCulture) : "price unknown";

    /// <summary>Snapshot suffixes: <c>-20250929</c>, <c>-2025-04-14</c>, <c>-latest</c>.</summary>
    [GeneratedRegex(@"-(\d{8}|\d{4}-\d{2}-\d{2}|latest)$", RegexOptions.IgnoreCase)]
    private static partial Regex SnapshotSuffix();
}
