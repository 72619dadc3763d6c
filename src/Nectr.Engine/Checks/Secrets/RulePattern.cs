using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// A gitleaks rule's regular expression as a tree, read only as far as <see cref="KeywordReach"/> needs: literal
/// characters, classes, alternations, repeats and zero-width assertions. The rules are RE2, so there are no
/// lookarounds or backreferences; anything this reader does not know throws <see cref="NotSupportedException"/>,
/// and the rule is then scanned over the whole text.
/// </summary>
internal abstract record PatternNode
{
    /// <summary>Reads a pattern already translated to .NET syntax (<see cref="SecretRuleSet.Translate"/>).</summary>
    public static PatternNode Parse(string pattern)
    {
        var reader = new PatternReader(pattern);
        var node = reader.Alternation(dotAll: false);
        return reader.AtEnd ? node : throw new NotSupportedException($"Unbalanced ')' at {reader.Position}.");
    }
}

/// <summary>One literal character.</summary>
internal sealed record LiteralNode(char Value) : PatternNode;

/// <summary>
/// A character class (<c>[…]</c>, <c>\s</c>, <c>\w</c>, …) or <c>.</c>, kept as its source so what it matches is
/// decided by the regex engine itself, never by a second reading of the syntax here.
/// </summary>
internal sealed record ClassNode(string Source, bool DotAll) : PatternNode
{
    private static readonly ConcurrentDictionary<(string, bool), Regex> Compiled = new();

    /// <summary>Whether the class matches <paramref name="c"/>, as the rule's regex would.</summary>
    public bool Matches(char c) =>
        Compiled.GetOrAdd((Source, DotAll), static key => new Regex($"^{key.Item1}$", key.Item2 ? RegexOptions.Singleline | RegexOptions.CultureInvariant : RegexOptions.CultureInvariant))
            .IsMatch(c.ToString());

    /// <summary><c>[Aa]</c> and <c>[A]</c> are a literal as far as keywords go (they are searched case-insensitively).</summary>
    public char? AsLiteral()
    {
        if (Source.Length is < 3 or > 4 || Source[0] != '[' || Source[^1] != ']' || Source[1] is '^' or '\\')
        {
            return null;
        }

        var inner = Source[1..^1];
        return inner.Length == 1 || (inner[0] != inner[1] && char.ToLowerInvariant(inner[0]) == char.ToLowerInvariant(inner[1]) && char.IsAsciiLetter(inner[0]))
            ? char.ToLowerInvariant(inner[0])
            : null;
    }
}

/// <summary>A zero-width assertion: <c>^ $ \b \B \A \z \Z</c>.</summary>
internal sealed record AssertionNode(string Source) : PatternNode;

internal sealed record SequenceNode(IReadOnlyList<PatternNode> Items) : PatternNode;

internal sealed record AlternationNode(IReadOnlyList<PatternNode> Branches) : PatternNode;

/// <summary>A repeat; <see cref="Max"/> is null when unbounded. Laziness does not matter to the reach of a match.</summary>
internal sealed record RepeatNode(PatternNode Item, int Min, int? Max) : PatternNode;

internal sealed partial class PatternReader(string pattern)
{
    private int _at;

    public int Position => _at;

    public bool AtEnd => _at >= pattern.Length;

    public PatternNode Alternation(bool dotAll)
    {
        var branches = new List<PatternNode>();
        while (true)
        {
            var (branch, flagsDotAll) = Sequence(dotAll);
            branches.Add(branch);
            dotAll = flagsDotAll; // an inline (?s) holds to the end of the enclosing group, across '|'
            if (_at < pattern.Length && pattern[_at] == '|')
            {
                _at++;
                continue;
            }

            return branches.Count == 1 ? branches[0] : new AlternationNode(branches);
        }
    }

    private (PatternNode Node, bool DotAll) Sequence(bool dotAll)
    {
        var items = new List<PatternNode>();
        while (_at < pattern.Length && pattern[_at] is not ('|' or ')'))
        {
            if (pattern[_at] == '(' && InlineFlags() is { } flags)
            {
                dotAll = flags.Contains('s', StringComparison.Ordinal) && !flags.Contains("-s", StringComparison.Ordinal) ? true
                    : flags.Contains("-s", StringComparison.Ordinal) ? false : dotAll;
                continue;
            }

            var atom = Atom(dotAll);
            items.Add(Quantified(atom));
        }

        return (items.Count == 1 ? items[0] : new SequenceNode(items), dotAll);
    }

    /// <summary>Consumes <c>(?flags)</c> and returns the flags; anything else is left for <see cref="Atom"/>.</summary>
    private string? InlineFlags()
    {
        var match = InlineFlagPattern().Match(pattern, _at);
        if (!match.Success || match.Index != _at)
        {
            return null;
        }

        CheckFlags(match.Groups[1].Value);
        _at += match.Length;
        return match.Groups[1].Value;
    }

    private static void CheckFlags(string flags)
    {
        if (flags.Any(c => c is not ('i' or 's' or 'm' or '-')))
        {
            throw new NotSupportedException($"Inline flags '{flags}' are not read.");
        }
    }

    private PatternNode Atom(bool dotAll)
    {
        var c = pattern[_at];
        switch (c)
        {
            case '(':
                return Group(dotAll);
            case '[':
                return new ClassNode(ClassSource(), dotAll);
            case '.':
                _at++;
                return new ClassNode(".", dotAll);
            case '^' or '$':
                _at++;
                return new AssertionNode(c.ToString());
            case '\\':
                return Escape(dotAll);
            case '*' or '+' or '?':
                throw new NotSupportedException($"A quantifier with nothing to repeat at {_at}.");
            default:
                _at++;
                return new LiteralNode(c);
        }
    }

    private PatternNode Group(bool dotAll)
    {
        _at++; // '('
        if (_at < pattern.Length && pattern[_at] == '?')
        {
            var rest = pattern.AsSpan(_at);
            if (rest.StartsWith("?:"))
            {
                _at += 2;
            }
            else if (rest.StartsWith("?<") && rest.Length > 2 && rest[2] is not ('=' or '!'))
            {
                var close = pattern.IndexOf('>', _at);
                _at = close < 0 ? throw new NotSupportedException("Unterminated group name.") : close + 1;
            }
            else if (InlineFlagGroupPattern().Match(pattern, _at) is { Success: true } flagged && flagged.Index == _at)
            {
                var flags = flagged.Groups[1].Value;
                CheckFlags(flags);
                _at += flagged.Length;
                dotAll = flags.Contains("-s", StringComparison.Ordinal) ? false : flags.Contains('s', StringComparison.Ordinal) || dotAll;
            }
            else
            {
                throw new NotSupportedException($"Group construct at {_at} is not read (lookaround or other).");
            }
        }

        var inner = Alternation(dotAll);
        if (_at >= pattern.Length || pattern[_at] != ')')
        {
            throw new NotSupportedException("Unterminated group.");
        }

        _at++;
        return inner;
    }

    private string ClassSource()
    {
        var start = _at;
        _at++; // '['
        if (_at < pattern.Length && pattern[_at] == '^')
        {
            _at++;
        }

        if (_at < pattern.Length && pattern[_at] == ']')
        {
            _at++; // a leading ']' is literal
        }

        while (_at < pattern.Length && pattern[_at] != ']')
        {
            if (pattern[_at] == '[')
            {
                throw new NotSupportedException("Nested or POSIX classes are not read.");
            }

            _at += pattern[_at] == '\\' ? 2 : 1;
        }

        if (_at >= pattern.Length)
        {
            throw new NotSupportedException("Unterminated class.");
        }

        _at++;
        return pattern[start.._at];
    }

    private PatternNode Escape(bool dotAll)
    {
        if (_at + 1 >= pattern.Length)
        {
            throw new NotSupportedException("Trailing backslash.");
        }

        var e = pattern[_at + 1];
        _at += 2;
        switch (e)
        {
            case 'b' or 'B' or 'A' or 'z' or 'Z':
                return new AssertionNode("\\" + e);
            case 'd' or 'D' or 'w' or 'W' or 's' or 'S':
                return new ClassNode("\\" + e, dotAll);
            case 'p' or 'P':
                var close = pattern.IndexOf('}', _at);
                if (close < 0 || pattern[_at] != '{')
                {
                    throw new NotSupportedException("Unterminated \\p{…}.");
                }

                var source = pattern[(_at - 2)..(close + 1)];
                _at = close + 1;
                return new ClassNode(source, dotAll);
            case 'n':
                return new LiteralNode('\n');
            case 't':
                return new LiteralNode('\t');
            case 'r':
                return new LiteralNode('\r');
            case 'f':
                return new LiteralNode('\f');
            case 'x':
                return new LiteralNode(Hex(2));
            case 'u':
                return new LiteralNode(Hex(4));
            default:
                return char.IsAsciiLetterOrDigit(e) ? throw new NotSupportedException($"Escape \\{e} is not read.") : new LiteralNode(e);
        }
    }

    private char Hex(int digits)
    {
        if (_at + digits > pattern.Length
            || !int.TryParse(pattern.AsSpan(_at, digits), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
        {
            throw new NotSupportedException("Malformed hexadecimal escape.");
        }

        _at += digits;
        return (char)value;
    }

    private PatternNode Quantified(PatternNode atom)
    {
        while (_at < pattern.Length)
        {
            int min;
            int? max;
            switch (pattern[_at])
            {
                case '*':
                    (min, max) = (0, null);
                    _at++;
                    break;
                case '+':
                    (min, max) = (1, null);
                    _at++;
                    break;
                case '?':
                    (min, max) = (0, 1);
                    _at++;
                    break;
                case '{' when CountedRepeat().Match(pattern, _at) is { Success: true } counted && counted.Index == _at:
                    min = int.Parse(counted.Groups[1].Value, CultureInfo.InvariantCulture);
                    max = !counted.Groups[2].Success ? min
                        : counted.Groups[3].Length == 0 ? null : int.Parse(counted.Groups[3].Value, CultureInfo.InvariantCulture);
                    _at += counted.Length;
                    break;
                default:
                    return atom;
            }

            if (_at < pattern.Length && pattern[_at] == '?')
            {
                _at++; // lazy
            }

            atom = new RepeatNode(atom, min, max);
        }

        return atom;
    }

    [GeneratedRegex(@"\(\?([a-zA-Z-]+)\)")]
    private static partial Regex InlineFlagPattern();

    [GeneratedRegex(@"\?([a-zA-Z-]+):")]
    private static partial Regex InlineFlagGroupPattern();

    [GeneratedRegex(@"\{(\d+)(,(\d*))?\}")]
    private static partial Regex CountedRepeat();
}
