using System.Collections.Concurrent;
using System.Text;
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

    // Pieces of code repeat (identifiers, keywords, indentation): their counts are kept, up to a bound that holds a
    // large PR's distinct pieces in a few megabytes. Past it, pieces are counted each time, never evicted mid-count.
    private const int MaxCachedPieces = 100_000;
    private const int MaxCachedPieceLength = 32;

    private readonly TiktokenTokenizer _tokenizer = TiktokenTokenizer.CreateForEncoding("o200k_base");
    private readonly ConcurrentDictionary<string, int> _pieceCounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieceLookup;
    private int _cachedPieces; // ConcurrentDictionary.Count takes every lock; this is read instead

    private O200kTokenCounter() => _pieceLookup = _pieceCounts.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>The one instance; the tokenizer is immutable apart from internally synchronised caches.</summary>
    public static O200kTokenCounter Shared => SharedInstance.Value;

    /// <summary>
    /// The count the tokenizer gives for the whole text. An ASCII text without special-token markers is cut into the
    /// pre-tokenizer's pieces by <see cref="O200kAsciiPieces"/>, and each piece is counted on its own, which is what the
    /// tokenizer does after its regex; any other text goes to the tokenizer whole.
    /// </summary>
    public int Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (text.Length == 0)
        {
            return 0;
        }

        if (!Ascii.IsValid(text) || text.Contains("<|", StringComparison.Ordinal))
        {
            return _tokenizer.CountTokens(text);
        }

        var total = 0;
        for (var start = 0; start < text.Length;)
        {
            var length = O200kAsciiPieces.Length(text, start);
            total += CountPiece(text.AsSpan(start, length));
            start += length;
        }

        return total;
    }

    private int CountPiece(ReadOnlySpan<char> piece)
    {
        if (_pieceLookup.TryGetValue(piece, out var count))
        {
            return count;
        }

        count = _tokenizer.CountTokens(piece, considerPreTokenization: false, considerNormalization: false);
        if (piece.Length <= MaxCachedPieceLength && Volatile.Read(ref _cachedPieces) < MaxCachedPieces && _pieceLookup.TryAdd(piece, count))
        {
            Interlocked.Increment(ref _cachedPieces);
        }

        return count;
    }
}
