using System.Text.RegularExpressions;

namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// A keyword-first search for rules shaped <c>(?i)[\w.-]{0,50}?(?:keyword|…)rest</c> — <c>generic-api-key</c> and about
/// a hundred others. Scanning such a rule tries the lazy run at every position of the text and, at each, up to 50
/// lengths; this finds the same matches by looking only at the rule's keyword occurrences.
/// <para>
/// Why it finds exactly the matches of the scan: every string the keyword group matches starts with one of the rule's
/// keywords, so the group can only start at a keyword occurrence <c>p</c>. A match starts at <c>s</c> exactly when some
/// occurrence <c>p</c> with <c>s ≤ p ≤ s + 50</c> has only run characters in <c>[s, p)</c> and the rest of the pattern
/// (keyword group onwards) matches at <c>p</c> — the rest reads nothing before <c>p</c> (no <c>^</c>, <c>\b</c>, <c>\B</c>
/// or <c>\A</c> in it), so that is one anchored attempt at <c>p</c>, whatever <c>s</c> is. The scan returns the match at
/// the leftmost such <c>s</c> at or after where the previous match ended: that <c>s</c> is computed here from the
/// occurrences, and the rule's own regex, run from <c>s</c>, then picks the same match the scan would (same run length,
/// same groups), because <c>s</c> is the first position it tries and the run reads nothing before it.
/// <c>SecretWindowDifferentialTests</c> holds the result to a whole-text scan.
/// </para>
/// </summary>
internal sealed partial class LeadingRun
{
    private readonly Regex _anchoredRest;
    private readonly ClassNode _run;
    private readonly bool[] _asciiInRun = new bool[128];
    private readonly int _maxRun;

    private LeadingRun(Regex anchoredRest, ClassNode run, int maxRun)
    {
        (_anchoredRest, _run, _maxRun) = (anchoredRest, run, maxRun);
        for (var c = 0; c < 128; c++)
        {
            _asciiInRun[c] = run.Matches((char)c);
        }
    }

    /// <summary>The search for a rule of that shape, or null when the pattern has another shape or the proof does not hold.</summary>
    public static LeadingRun? Of(string translatedPattern, IReadOnlyList<string> keywords, TimeSpan timeout)
    {
        var prefix = Prefix().Match(translatedPattern);
        if (!prefix.Success || keywords.Count == 0)
        {
            return null;
        }

        try
        {
            if (PatternNode.Parse(translatedPattern) is not SequenceNode { Items: [RepeatNode { Item: ClassNode run, Min: 0, Max: { } max }, var group, ..] items }
                || KeywordReach.ExactStrings(group) is not { Count: > 0 } starts
                || !starts.All(s => keywords.Any(k => s.StartsWith(k, StringComparison.OrdinalIgnoreCase)))
                || items.Skip(1).Any(ReadsBehind))
            {
                return null;
            }

            var rest = translatedPattern[prefix.Length..];
            var anchored = new Regex($"{prefix.Groups["flags"].Value}\\G(?:{rest})", RegexOptions.CultureInvariant | RegexOptions.Compiled, timeout);
            return new LeadingRun(anchored, run, max);
        }
        catch (Exception e) when (e is NotSupportedException or ArgumentException)
        {
            return null;
        }
    }

    /// <summary>
    /// The rule's matches in <c>[start, start + length)</c>, in order, as the rule's regex scanning that window finds
    /// them. <paramref name="positions"/> are the sorted keyword occurrences of the rule in the text.
    /// </summary>
    public List<Match> Matches(Regex rule, string text, int start, int length, List<int> positions)
    {
        var end = start + length;
        var matches = new List<Match>();
        var first = LowerBound(positions, start);
        var position = start;
        while (true)
        {
            var best = int.MaxValue;
            for (var i = first; i < positions.Count && positions[i] < end; i++)
            {
                var p = positions[i];
                if (p - _maxRun >= best)
                {
                    break;
                }

                var s = p - RunBefore(text, p, position);
                if (s < best && _anchoredRest.Match(text, p, end - p).Success)
                {
                    best = s;
                }
            }

            if (best == int.MaxValue)
            {
                return matches;
            }

            var match = rule.Match(text, best, end - best);
            if (!match.Success)
            {
                return matches;
            }

            matches.Add(match);
            position = match.Index + Math.Max(1, match.Length);
            first = LowerBound(positions, position);
        }
    }

    /// <summary>How many run characters directly precede <paramref name="p"/>, not before <paramref name="floor"/> and at most the run's maximum.</summary>
    private int RunBefore(string text, int p, int floor)
    {
        var limit = Math.Max(floor, p - _maxRun);
        var at = p;
        while (at > limit && InRun(text[at - 1]))
        {
            at--;
        }

        return p - at;
    }

    private bool InRun(char c) => c < 128 ? _asciiInRun[c] : _run.Matches(c);

    private static int LowerBound(List<int> sorted, int value)
    {
        var i = sorted.BinarySearch(value);
        if (i < 0)
        {
            return ~i;
        }

        while (i > 0 && sorted[i - 1] == value)
        {
            i--;
        }

        return i;
    }

    /// <summary>Assertions that read the character before the position they stand at, or the start of the input.</summary>
    private static bool ReadsBehind(PatternNode node) => node switch
    {
        AssertionNode a => a.Source is not ("$" or "\\z" or "\\Z"),
        SequenceNode s => s.Items.Any(ReadsBehind),
        AlternationNode a => a.Branches.Any(ReadsBehind),
        RepeatNode r => ReadsBehind(r.Item),
        _ => false,
    };

    [GeneratedRegex(@"^(?<flags>(?:\(\?[imsx]+\))?)\[\\w\.-\]\{0,\d+\}\??")]
    private static partial Regex Prefix();
}
