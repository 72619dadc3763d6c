using System.Text;

namespace Nectr.Engine.Diffs;

/// <summary>
/// Walks UTF-8 diff bytes one line at a time and keeps the UTF-16 offset of each line, so the parsers read bytes
/// while <see cref="DiffLine"/> offsets still index the decoded text (<see cref="FilePatch.Text"/>) that rendering
/// slices. Diffs are almost all ASCII, where both offsets agree: a line's characters are counted only when it holds a
/// byte ≥ 0x80, found by one vectorized search that runs again only after such a line.
/// </summary>
internal ref struct Utf8Lines
{
    private readonly ReadOnlySpan<byte> _text;
    private int _start;        // the current line's first byte
    private int _end;          // where its text ends, before "\r\n" or "\n"
    private int _next;         // the next line's first byte
    private int _charDelta;    // UTF-8 bytes minus UTF-16 chars before _start
    private int _nextNonAscii; // the first byte ≥ 0x80 at or after _start (or the length)

    public Utf8Lines(ReadOnlySpan<byte> text)
    {
        _text = text;
        _nextNonAscii = NonAsciiFrom(0);
        Load(0);
    }

    public readonly bool AtEnd => _start >= _text.Length;

    /// <summary>Whether the current line is the last one (nothing follows its line end).</summary>
    public readonly bool IsLast => _next >= _text.Length;

    /// <summary>The current line without its line end.</summary>
    public readonly ReadOnlySpan<byte> Current => _text[_start.._end];

    /// <summary>Everything after the current line's line end.</summary>
    public readonly ReadOnlySpan<byte> Following => _text[_next..];

    /// <summary>The UTF-16 offset of the current line in the decoded text.</summary>
    public readonly int CharStart => _start - _charDelta;

    /// <summary>The UTF-16 length of the current line's text from byte <paramref name="offset"/> of the line on.</summary>
    public readonly int CharLengthFrom(int offset) =>
        _end <= _nextNonAscii ? _end - _start - offset : Encoding.UTF8.GetCharCount(_text[(_start + offset).._end]);

    public void MoveNext()
    {
        if (_next > _nextNonAscii)
        {
            // Line ends are ASCII, so an invalid sequence never spans two lines and per-line counts add up to the
            // count of the whole text, replacement characters included.
            _charDelta += _end - _start - Encoding.UTF8.GetCharCount(_text[_start.._end]);
            _nextNonAscii = NonAsciiFrom(_next);
        }

        Load(_next);
    }

    private void Load(int start)
    {
        _start = start;
        var newline = start < _text.Length ? _text[start..].IndexOf((byte)'\n') : -1;
        _next = newline < 0 ? _text.Length : start + newline + 1;
        var end = newline < 0 ? _text.Length : start + newline;
        _end = end > start && _text[end - 1] == '\r' ? end - 1 : end;
    }

    private readonly int NonAsciiFrom(int start)
    {
        var found = _text[start..].IndexOfAnyExceptInRange((byte)0, (byte)0x7F);
        return found < 0 ? _text.Length : start + found;
    }
}
