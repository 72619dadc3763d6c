using Microsoft.ML.Tokenizers;
using Nectr.Engine.Budget;
using Nectr.Engine.Tests.Checks.Differential;

namespace Nectr.Engine.Tests.Budget;

/// <summary>
/// <see cref="O200kTokenCounter"/> cuts ASCII texts with <see cref="O200kAsciiPieces"/> instead of the tokenizer's
/// regex. Its pieces must be the regex's pieces exactly, and its counts the tokenizer's counts: checked on every short
/// string over characters from each class, on random ASCII, and on real patches.
/// </summary>
public sealed class O200kPieceTests
{
    // The tokenizer the counter must agree with, with its own pre-tokenizer (the o200k regex).
    private static readonly TiktokenTokenizer Reference = TiktokenTokenizer.CreateForEncoding("o200k_base");

    // One or more characters of every class the pattern tells apart, and those its branches name: the contraction
    // letters in both cases, the apostrophe, '/', each white-space character, control characters.
    private const string Alphabet = "aZsStTrReEvVlLmMdD09'/. -_(\t\n\r\v\f\0\x1F\x7F";

    [Fact]
    public void Every_string_of_up_to_three_characters_from_each_class_is_cut_as_the_regex_cuts_it()
    {
        var mismatches = new List<string>();
        foreach (var text in Strings(Alphabet, 3))
        {
            if (!Pieces(text).SequenceEqual(RegexPieces(text)))
            {
                mismatches.Add(Show(text));
            }
        }

        Assert.Empty(mismatches.Take(20));
    }

    [Fact]
    public void Random_ascii_texts_are_cut_as_the_regex_cuts_them()
    {
        var random = new Random(13);
        for (var i = 0; i < 20_000; i++)
        {
            var length = random.Next(0, 120);
            var text = string.Create(length, random, (span, r) =>
            {
                for (var j = 0; j < span.Length; j++)
                {
                    // Half from the class alphabet, half from all of ASCII.
                    span[j] = r.Next(2) == 0 ? Alphabet[r.Next(Alphabet.Length)] : (char)r.Next(128);
                }
            });
            if (!Pieces(text).SequenceEqual(RegexPieces(text)))
            {
                Assert.Fail(Show(text));
            }
        }
    }

    [Fact]
    public void Real_patches_give_the_tokenizers_pieces_and_counts()
    {
        var texts = DifferentialCorpus.JQueryPatches().ToList();
        Assert.True(texts.Count >= 4_000);
        var ascii = 0;
        foreach (var text in texts)
        {
            if (System.Text.Ascii.IsValid(text))
            {
                ascii++;
                if (!Pieces(text).SequenceEqual(RegexPieces(text)))
                {
                    Assert.Fail(Show(text[..Math.Min(200, text.Length)]));
                }
            }

            Assert.Equal(Reference.CountTokens(text), O200kTokenCounter.Shared.Count(text));
        }

        Assert.True(ascii > texts.Count / 2, $"only {ascii} of {texts.Count} patches are ASCII: the fast path went untested");
    }

    [Theory]
    [InlineData("naïve café — ünïcode ½ ² 𝔘 \u00A0 \u2028 end")] // not ASCII: the tokenizer counts it whole
    [InlineData("text <|endoftext|> more <|endofprompt|>")] // special tokens count as one token each
    [InlineData("don't WON'T they're I've we'll he'd I'M SHE'S")]
    [InlineData("    indented\r\n\t\tline  \n\n   \n// comment\n/* block */\n")]
    [InlineData("12345678 3.14159 0x1F 1e-9")]
    public void Counts_equal_the_tokenizers_count(string text) =>
        Assert.Equal(Reference.CountTokens(text), O200kTokenCounter.Shared.Count(text));

    private static List<(int Offset, int Length)> Pieces(string text)
    {
        var pieces = new List<(int, int)>();
        for (var start = 0; start < text.Length;)
        {
            var length = O200kAsciiPieces.Length(text, start);
            if (length <= 0)
            {
                Assert.Fail($"an empty piece at {start} of {Show(text)}");
            }

            pieces.Add((start, length));
            start += length;
        }

        return pieces;
    }

    private static IEnumerable<(int Offset, int Length)> RegexPieces(string text) => Reference.PreTokenizer!.PreTokenize(text);

    private static IEnumerable<string> Strings(string alphabet, int maxLength)
    {
        IEnumerable<string> level = [""];
        for (var length = 1; length <= maxLength; length++)
        {
            level = level.SelectMany(prefix => alphabet.Select(c => prefix + c)).ToList();
            foreach (var text in level)
            {
                yield return text;
            }
        }
    }

    private static string Show(string text) =>
        "\"" + string.Concat(text.Select(c => c is >= ' ' and < '\x7F' ? c.ToString() : $"\\x{(int)c:X2}")) + "\"";
}
