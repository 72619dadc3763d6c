using System.Buffers;
using System.Text;

namespace Nectr.Engine.Diffs;

/// <summary>Paths as git writes them in diff headers: <c>a/</c> and <c>b/</c> prefixes, C-style quoting.</summary>
internal static class GitPaths
{
    // git quotes a path holding a control byte, '"', '\' or (with core.quotePath, the default) a byte ≥ 0x80.
    private static readonly SearchValues<byte> NeedsQuote = SearchValues.Create(
        [.. Enumerable.Range(0, 0x20).Select(b => (byte)b), (byte)'"', (byte)'\\', 0x7F, .. Enumerable.Range(0x80, 0x80).Select(b => (byte)b)]);

    /// <summary>Reads one path of a <c>diff --git a/x b/y</c> line and leaves <paramref name="rest"/> after it.</summary>
    public static string Read(ref ReadOnlySpan<byte> rest)
    {
        if (!rest.IsEmpty && rest[0] == '"')
        {
            var close = 1;
            while (close < rest.Length && (rest[close] != '"' || rest[close - 1] == '\\'))
            {
                close++;
            }

            var quoted = rest[..Math.Min(close + 1, rest.Length)];
            rest = rest[Math.Min(close + 1, rest.Length)..];
            return Unquote(quoted);
        }

        return Encoding.UTF8.GetString(TakeUnquoted(ref rest));
    }

    /// <summary>
    /// <see cref="Read"/> then <see cref="StripPrefix(string)"/>, with an unquoted path's prefix cut from its bytes so
    /// only the path itself is decoded (a parse of a big diff made twice the path strings it kept).
    /// </summary>
    public static string ReadStripped(ref ReadOnlySpan<byte> rest)
    {
        if (!rest.IsEmpty && rest[0] == '"')
        {
            return StripPrefix(Read(ref rest));
        }

        return Encoding.UTF8.GetString(StripPrefix(TakeUnquoted(ref rest)));
    }

    /// <summary>An unquoted path of "a/x b/y": paths may contain spaces, so it ends at " b/" when there is one.</summary>
    private static ReadOnlySpan<byte> TakeUnquoted(ref ReadOnlySpan<byte> rest)
    {
        var split = rest.IndexOf(" b/"u8);
        if (split < 0)
        {
            split = rest.IndexOf((byte)' ');
        }

        var path = split < 0 ? rest : rest[..split];
        rest = split < 0 ? [] : rest[split..];
        return path;
    }

    /// <summary>The bytes form of <see cref="StripPrefix(string)"/>: a path of more than two bytes is more than two characters.</summary>
    public static ReadOnlySpan<byte> StripPrefix(ReadOnlySpan<byte> path) =>
        path.Length > 2 && (path.StartsWith("a/"u8) || path.StartsWith("b/"u8)) ? path[2..] : path;

    public static string StripPrefix(string path) =>
        path.Length > 2 && (path.StartsWith("a/", StringComparison.Ordinal) || path.StartsWith("b/", StringComparison.Ordinal)) ? path[2..] : path;

    /// <summary>Git quotes paths with unusual bytes C-style, with octal escapes for UTF-8 bytes.</summary>
    public static string Unquote(ReadOnlySpan<byte> text)
    {
        if (text.Length < 2 || text[0] != '"' || text[^1] != '"')
        {
            return Encoding.UTF8.GetString(text);
        }

        var bytes = new byte[text.Length];
        var length = 0;
        for (var i = 1; i < text.Length - 1; i++)
        {
            var c = text[i];
            if (c != '\\' || i + 1 >= text.Length - 1)
            {
                bytes[length++] = c;
                continue;
            }

            var e = text[++i];
            bytes[length++] = e switch
            {
                (byte)'n' => (byte)'\n',
                (byte)'t' => (byte)'\t',
                >= (byte)'0' and <= (byte)'7' when i + 2 < text.Length - 1 => Octal(text, ref i),
                _ => e, // '"', '\\' and anything unknown stand for themselves
            };
        }

        return Encoding.UTF8.GetString(bytes, 0, length);
    }

    /// <summary>Writes a path as <c>git apply --numstat</c> does: as is, or C-quoted when it holds an unusual byte.</summary>
    public static void WriteQuoted(string path, IBufferWriter<byte> output)
    {
        var utf8 = Encoding.UTF8.GetBytes(path);
        if (utf8.AsSpan().IndexOfAny(NeedsQuote) < 0)
        {
            output.Write(utf8);
            return;
        }

        var quoted = new List<byte>(utf8.Length * 2) { (byte)'"' };
        foreach (var b in utf8)
        {
            switch (b)
            {
                case (byte)'"' or (byte)'\\': quoted.AddRange([(byte)'\\', b]); break;
                case (byte)'\a': quoted.AddRange("\\a"u8); break;
                case (byte)'\b': quoted.AddRange("\\b"u8); break;
                case (byte)'\t': quoted.AddRange("\\t"u8); break;
                case (byte)'\n': quoted.AddRange("\\n"u8); break;
                case (byte)'\v': quoted.AddRange("\\v"u8); break;
                case (byte)'\f': quoted.AddRange("\\f"u8); break;
                case (byte)'\r': quoted.AddRange("\\r"u8); break;
                case < 0x20 or >= 0x7F: quoted.AddRange([(byte)'\\', (byte)('0' + (b >> 6)), (byte)('0' + ((b >> 3) & 7)), (byte)('0' + (b & 7))]); break;
                default: quoted.Add(b); break;
            }
        }

        quoted.Add((byte)'"');
        output.Write(quoted.ToArray());
    }

    private static byte Octal(ReadOnlySpan<byte> text, ref int i)
    {
        var value = (byte)(((text[i] - '0') << 6) | ((text[i + 1] - '0') << 3) | (text[i + 2] - '0'));
        i += 2;
        return value;
    }
}
