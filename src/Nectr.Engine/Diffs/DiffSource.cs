using System.Buffers;
using System.Text;

namespace Nectr.Engine.Diffs;

/// <summary>
/// The text a parse read, shared by every <see cref="FilePatch"/> it produced: the caller's string as it is, or UTF-8
/// bytes decoded only when something asks for <see cref="FilePatch.Text"/> (the numstat path never does).
/// </summary>
internal sealed class DiffSource
{
    private readonly ReadOnlyMemory<byte> _utf8;
    private string? _text;

    public DiffSource(string text) => _text = text;

    public DiffSource(ReadOnlyMemory<byte> utf8) => _utf8 = utf8;

    // Two threads may both decode; they produce equal strings and either may win.
    public string Text => _text ??= Encoding.UTF8.GetString(_utf8.Span);

    /// <summary>
    /// Runs the byte parser on a string: encodes it once into a pooled buffer. Nothing the parser returns points into
    /// the buffer (paths and sections are decoded, line offsets index the string), so it goes back to the pool after.
    /// </summary>
    public static T ParseString<T>(string text, ParseBytes<T> parse)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(Math.Max(1, Encoding.UTF8.GetByteCount(text)));
        try
        {
            var length = Encoding.UTF8.GetBytes(text, buffer);
            return parse(buffer.AsSpan(0, length), new DiffSource(text));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public delegate T ParseBytes<out T>(ReadOnlySpan<byte> utf8, DiffSource source);
}
