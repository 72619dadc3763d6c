using Microsoft.ML.Tokenizers;

namespace Nectr.Engine.Budget;

/// <summary>Counts the tokens a text costs in a prompt. Implementations must be thread-safe.</summary>
public interface ITokenCounter
{
    int Count(string text);
}

/// <summary>
/// Counts with the o200k_base vocabulary (GPT-4o and later). Other providers tokenise differently, so for them it is
/// an estimate; budgets keep an output reserve and a margin rather than trusting any count to the token.
/// </summary>
public sealed class O200kTokenCounter : ITokenCounter
{
    // Loading the vocabulary takes a noticeable moment and megabytes: once per process, on first use.
    private static readonly Lazy<O200kTokenCounter> SharedInstance = new(() => new O200kTokenCounter());

    private readonly TiktokenTokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");

    private O200kTokenCounter()
    {
    }

    /// <summary>The one instance; the tokenizer is immutable apart from an internally synchronised cache.</summary>
    public static O200kTokenCounter Shared => SharedInstance.Value;

    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return text.Length == 0 ? 0 : _tokenizer.CountTokens(text);
    }
}
