using System.Globalization;
using System.Text;

namespace Nectr.Engine.Findings;

/// <summary>What <see cref="LenientJson.Parse"/> read from one starting brace.</summary>
/// <param name="Value">An object as a dictionary with normalised keys (see <see cref="LenientJson.Key"/>), or null on failure.</param>
/// <param name="End">Just past the value, or where reading failed.</param>
/// <param name="Error">Why reading failed; null on success.</param>
/// <param name="Truncated">The text ended before the value did: the model was cut off.</param>
internal sealed record LenientParse(Dictionary<string, object?>? Value, int End, string? Error, bool Truncated);

/// <summary>
/// A forgiving JSON reader for what models actually write: comments, trailing or missing commas, single or smart
/// quotes, unquoted keys, raw newlines in strings, Python's True/False/None. Values are strings, doubles, bools,
/// null, lists and dictionaries. It never throws: failures are results, and nesting is bounded so hostile input
/// cannot overflow the stack.
/// </summary>
internal sealed class LenientJson
{
    private const int MaxDepth = 64;
    private readonly string _text;
    private int _pos;
    private string? _error;
    private bool _truncated;

    private LenientJson(string text, int start)
    {
        _text = text;
        _pos = start;
    }

    /// <summary>Reads the object that starts at the brace at <paramref name="start"/>.</summary>
    public static LenientParse Parse(string text, int start)
    {
        var reader = new LenientJson(text, start);
        var ok = reader.TryObject(0, out var value);
        return ok ? new LenientParse(value, reader._pos, null, false) : new LenientParse(null, reader._pos, reader._error, reader._truncated);
    }

    /// <summary>Keys compare by letters and digits only, so <c>end_line</c>, <c>endLine</c> and <c>End-Line</c> are one key.</summary>
    public static string Key(string key)
    {
        var text = new StringBuilder(key.Length);
        foreach (var c in key)
        {
            if (char.IsLetterOrDigit(c))
            {
                text.Append(char.ToLowerInvariant(c));
            }
        }

        return text.ToString();
    }

    private bool TryValue(int depth, out object? value)
    {
        value = null;
        if (!SkipTrivia())
        {
            return false;
        }

        var c = _text[_pos];
        switch (c)
        {
            case '{':
                var ok = TryObject(depth + 1, out var obj);
                value = obj;
                return ok;
            case '[':
                return TryArray(depth + 1, out value);
            case '"' or '\'' or '\u201C' or '\u201D' or '\u2018' or '\u2019':
                var read = TryString(out var text);
                value = text;
                return read;
            case '-' or '+' or '.' or (>= '0' and <= '9'):
                return TryNumber(out value);
            default:
                if (IsWordStart(c))
                {
                    return TryWord(out value);
                }

                return Fail($"unexpected character '{c}'");
        }
    }

    private bool TryObject(int depth, out Dictionary<string, object?>? value)
    {
        value = null;
        if (depth > MaxDepth)
        {
            return Fail("the JSON is nested too deeply");
        }

        _pos++; // the opening brace
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        while (SkipTrivia())
        {
            var c = _text[_pos];
            if (c == '}')
            {
                _pos++;
                value = result;
                return true;
            }

            if (c == ',')
            {
                _pos++; // a trailing or doubled comma
                continue;
            }

            string? key;
            if (c is '"' or '\'' or '\u201C' or '\u201D' or '\u2018' or '\u2019')
            {
                if (!TryString(out key))
                {
                    return false;
                }
            }
            else if (IsWordStart(c))
            {
                key = ReadWord();
            }
            else
            {
                return Fail($"expected a property name or '}}' but found '{c}'");
            }

            if (!SkipTrivia())
            {
                return false;
            }

            if (_text[_pos] != ':')
            {
                return Fail($"expected ':' after \"{key}\"");
            }

            _pos++;
            if (!TryValue(depth, out var item))
            {
                return false;
            }

            result[Key(key!)] = item; // a repeated key: the last one wins, as in most JSON readers
        }

        return false;
    }

    private bool TryArray(int depth, out object? value)
    {
        value = null;
        if (depth > MaxDepth)
        {
            return Fail("the JSON is nested too deeply");
        }

        _pos++;
        var result = new List<object?>();
        while (SkipTrivia())
        {
            var c = _text[_pos];
            if (c == ']')
            {
                _pos++;
                value = result;
                return true;
            }

            if (c == ',')
            {
                _pos++;
                continue;
            }

            // A missing comma between elements is read as if it were there.
            if (!TryValue(depth, out var item))
            {
                return false;
            }

            result.Add(item);
        }

        return false;
    }

    private bool TryString(out string? value)
    {
        value = null;
        var open = _text[_pos++];
        var text = new StringBuilder();
        while (_pos < _text.Length)
        {
            var c = _text[_pos++];
            if (Closes(open, c))
            {
                value = text.ToString();
                return true;
            }

            if (c != '\\')
            {
                text.Append(c); // raw newlines and tabs are kept: models write them
                continue;
            }

            if (_pos >= _text.Length)
            {
                break;
            }

            var escaped = _text[_pos++];
            switch (escaped)
            {
                case 'n': text.Append('\n'); break;
                case 't': text.Append('\t'); break;
                case 'r': text.Append('\r'); break;
                case 'b': text.Append('\b'); break;
                case 'f': text.Append('\f'); break;
                case 'u' when _pos + 4 <= _text.Length
                    && int.TryParse(_text.AsSpan(_pos, 4), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var code):
                    text.Append((char)code);
                    _pos += 4;
                    break;
                default: text.Append(escaped); break; // \" \\ \/ \' and unknown escapes stand for the character
            }
        }

        return Truncate();
    }

    private static bool Closes(char open, char c) => open switch
    {
        '"' => c == '"',
        '\'' => c == '\'',
        '\u201C' or '\u201D' => c is '\u201D' or '\u201C' or '"',
        _ => c is '\u2019' or '\u2018' or '\'',
    };

    private bool TryNumber(out object? value)
    {
        value = null;
        var start = _pos;
        while (_pos < _text.Length && _text[_pos] is (>= '0' and <= '9') or '-' or '+' or '.' or 'e' or 'E')
        {
            _pos++;
        }

        if (_pos >= _text.Length)
        {
            return Truncate();
        }

        var span = _text.AsSpan(start, _pos - start).TrimStart('+');
        if (double.TryParse(span, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number))
        {
            value = number;
            return true;
        }

        // Not a number but number-like, such as an unquoted range 42-45: keep the text for the caller to read.
        value = span.ToString();
        return true;
    }

    private bool TryWord(out object? value)
    {
        var start = _pos;
        var word = ReadWord();
        if (_pos >= _text.Length)
        {
            return Truncate(out value);
        }

        (var known, value) = word switch
        {
            "true" or "True" or "TRUE" => (true, (object?)true),
            "false" or "False" or "FALSE" => (true, false),
            "null" or "None" or "undefined" or "nil" or "NaN" or "Infinity" => (true, null),
            _ => (false, null),
        };
        if (!known)
        {
            _pos = start;
            return Fail($"unexpected word '{(word.Length > 20 ? word[..20] : word)}'");
        }

        return true;
    }

    private static bool IsWordStart(char c) => char.IsLetter(c) || c is '_' or '$';

    private string ReadWord()
    {
        var start = _pos;
        while (_pos < _text.Length && (char.IsLetterOrDigit(_text[_pos]) || _text[_pos] is '_' or '$' or '-'))
        {
            _pos++;
        }

        return _text[start.._pos];
    }

    /// <summary>Skips whitespace and comments; false (and truncated) when the text ends.</summary>
    private bool SkipTrivia()
    {
        while (_pos < _text.Length)
        {
            var c = _text[_pos];
            if (char.IsWhiteSpace(c) || c == '\uFEFF')
            {
                _pos++;
            }
            else if ((c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '/') || c == '#')
            {
                var end = _text.IndexOf('\n', _pos);
                _pos = end < 0 ? _text.Length : end + 1;
            }
            else if (c == '/' && _pos + 1 < _text.Length && _text[_pos + 1] == '*')
            {
                var end = _text.IndexOf("*/", _pos + 2, StringComparison.Ordinal);
                _pos = end < 0 ? _text.Length : end + 2;
            }
            else
            {
                return true;
            }
        }

        return Truncate();
    }

    private bool Fail(string message)
    {
        _error = message;
        return false;
    }

    private bool Truncate()
    {
        _truncated = true;
        return Fail("the text ended before the JSON object was complete");
    }

    private bool Truncate(out object? value)
    {
        value = null;
        return Truncate();
    }
}
