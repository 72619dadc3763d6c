using System.Globalization;
using System.Text;

namespace Nectr.Engine.Prompts;

/// <summary>Text held to a number of UTF-8 bytes, as results handed to a model are (tool and MCP results).</summary>
public static class Utf8Cap
{
    /// <summary>
    /// <paramref name="text"/> when it fits in <paramref name="maxBytes"/> UTF-8 bytes; otherwise its start, cut on a
    /// character boundary, followed by a note saying it was cut, the whole within <paramref name="maxBytes"/>.
    /// </summary>
    public static string Cap(string text, int maxBytes)
    {
        if (Encoding.UTF8.GetByteCount(text) <= maxBytes)
        {
            return text;
        }

        var note = string.Create(CultureInfo.InvariantCulture, $"\n(cut at {maxBytes} bytes)");
        var room = maxBytes - Encoding.UTF8.GetByteCount(note);
        var length = 0;
        var bytes = 0;
        foreach (var rune in text.EnumerateRunes())
        {
            if (bytes + rune.Utf8SequenceLength > room)
            {
                break;
            }

            bytes += rune.Utf8SequenceLength;
            length += rune.Utf16SequenceLength;
        }

        return text[..length] + note;
    }
}
