namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// How far a rule's match can reach from one of its keywords, derived from the rule's regex: every match contains a
/// keyword occurrence <c>h</c> and lies within <see cref="BeforeChars"/> characters and <see cref="BeforeLines"/>
/// line breaks before <c>h</c>, and <see cref="AfterChars"/> characters and <see cref="AfterLines"/> line breaks from
/// <c>h</c> on. A null bound is unbounded. <see cref="Of"/> returns null when it cannot prove that every match
/// contains a keyword, or when neither bound holds on a side (<c>[\s\S]{64,}?</c> of a private key): such a rule
/// is scanned over the whole text. See <see cref="KeywordWindows"/> for why a scan of the windows finds exactly the
/// matches of a whole-text scan.
/// </summary>
internal sealed record KeywordReach(int? BeforeChars, int? BeforeLines, int? AfterChars, int? AfterLines)
{
    // Exact-string sets (for "every match contains one of these") stop growing here; larger ones prove nothing.
    private const int MaxExactStrings = 256;

    public static KeywordReach? Of(string translatedPattern, IReadOnlyList<string> keywords)
    {
        if (keywords.Count == 0)
        {
            return null;
        }

        PatternNode root;
        try
        {
            root = PatternNode.Parse(translatedPattern);
        }
        catch (NotSupportedException)
        {
            return null;
        }

        var analysis = new Analysis(keywords);
        var items = root is SequenceNode sequence ? sequence.Items : [root];
        if (analysis.CoveredSegment(items) is not { } segment)
        {
            return null;
        }

        var (first, last) = segment;
        var inside = items.Skip(first).Take(last - first + 1).ToList();
        // The keyword lies wholly inside the segment's match, so it starts at least its length before the segment's end.
        var shortestKeyword = keywords.Min(k => k.Length);
        var reach = new KeywordReach(
            Sum(items.Take(first).Append(new SequenceNode(inside)), MaxLength) - shortestKeyword is var chars && chars < 0 ? 0 : chars,
            Sum(items.Take(first).Append(new SequenceNode(inside)), MaxNewlines),
            Sum(items.Skip(last + 1).Prepend(new SequenceNode(inside)), MaxLength),
            Sum(items.Skip(last + 1).Prepend(new SequenceNode(inside)), MaxNewlines));
        var before = reach.BeforeChars is not null || reach.BeforeLines is not null;
        var after = reach.AfterChars is not null || reach.AfterLines is not null;
        return before && after ? reach : null;
    }

    /// <summary>Every string <paramref name="node"/> can match (up to letter case), or null if there are too many or unknown.</summary>
    internal static List<string>? ExactStrings(PatternNode node) => Analysis.Exact(node);

    /// <summary>The most characters a match of <paramref name="node"/> can take; null when unbounded.</summary>
    internal static int? MaxLength(PatternNode node) => node switch
    {
        LiteralNode or ClassNode => 1,
        AssertionNode => 0,
        SequenceNode s => Sum(s.Items, MaxLength),
        AlternationNode a => Max(a.Branches, MaxLength),
        RepeatNode r => Times(MaxLength(r.Item), r.Max),
        _ => null,
    };

    /// <summary>The most line breaks a match of <paramref name="node"/> can contain; null when unbounded.</summary>
    internal static int? MaxNewlines(PatternNode node) => node switch
    {
        LiteralNode l => l.Value == '\n' ? 1 : 0,
        ClassNode c => c.Matches('\n') ? 1 : 0,
        AssertionNode => 0,
        SequenceNode s => Sum(s.Items, MaxNewlines),
        AlternationNode a => Max(a.Branches, MaxNewlines),
        RepeatNode r => Times(MaxNewlines(r.Item), r.Max),
        _ => null,
    };

    private static int? Sum(IEnumerable<PatternNode> nodes, Func<PatternNode, int?> measure)
    {
        long total = 0;
        foreach (var node in nodes)
        {
            if (measure(node) is not { } value)
            {
                return null;
            }

            total += value;
        }

        return total > int.MaxValue / 4 ? null : (int)total;
    }

    private static int? Max(IEnumerable<PatternNode> nodes, Func<PatternNode, int?> measure)
    {
        var most = 0;
        foreach (var node in nodes)
        {
            if (measure(node) is not { } value)
            {
                return null;
            }

            most = Math.Max(most, value);
        }

        return most;
    }

    private static int? Times(int? each, int? count) =>
        each == 0 ? 0 : each is null || count is null || (long)each * count > int.MaxValue / 4 ? null : each * count;

    /// <summary>Which parts of a pattern every match of which must contain one of the rule's keywords.</summary>
    private sealed class Analysis(IReadOnlyList<string> keywords)
    {
        /// <summary>
        /// The first run of <paramref name="items"/> every match of which contains a keyword: one covered item, or a
        /// run of consecutive exact items (<c>s k _ l i v e</c>) whose concatenations all contain one.
        /// </summary>
        public (int First, int Last)? CoveredSegment(IReadOnlyList<PatternNode> items)
        {
            var runStart = -1;
            List<string>? run = null;
            for (var i = 0; i <= items.Count; i++)
            {
                var exact = i < items.Count ? Exact(items[i]) : null;
                if (exact is not null)
                {
                    // A run too large to enumerate restarts at this item: any contiguous run that proves coverage will do.
                    var grown = run is null ? null : Product(run, exact);
                    (run, runStart) = grown is null ? (exact, i) : (grown, runStart);
                    if (AllContainKeyword(run))
                    {
                        return (runStart, i);
                    }
                }
                else
                {
                    run = null;
                    runStart = -1;
                }

                if (i < items.Count && exact is null && Covered(items[i]))
                {
                    return (i, i);
                }
            }

            return null;
        }

        private bool Covered(PatternNode node) => node switch
        {
            _ when Exact(node) is { } strings => AllContainKeyword(strings),
            SequenceNode s => CoveredSegment(s.Items) is not null,
            AlternationNode a => a.Branches.All(Covered),
            RepeatNode r => r.Min >= 1 && Covered(r.Item),
            _ => false,
        };

        /// <summary>Every string <paramref name="node"/> can match (up to letter case), or null if there are too many or unknown.</summary>
        internal static List<string>? Exact(PatternNode node)
        {
            switch (node)
            {
                case LiteralNode l:
                    return [l.Value.ToString()];
                case ClassNode c:
                    return c.AsLiteral() is { } literal ? [literal.ToString()] : null;
                case AssertionNode:
                    return [""];
                case SequenceNode s:
                    var product = new List<string> { "" };
                    foreach (var item in s.Items)
                    {
                        if (Exact(item) is not { } part || Product(product, part) is not { } longer)
                        {
                            return null;
                        }

                        product = longer;
                    }

                    return product;
                case AlternationNode a:
                    var union = new List<string>();
                    foreach (var branch in a.Branches)
                    {
                        if (Exact(branch) is not { } part)
                        {
                            return null;
                        }

                        union.AddRange(part);
                    }

                    return union.Count > MaxExactStrings ? null : union;
                case RepeatNode { Max: 1 } r when Exact(r.Item) is { } once:
                    return r.Min == 1 ? once : [.. once, ""];
                default:
                    return null;
            }
        }

        private static List<string>? Product(List<string> left, List<string> right)
        {
            if ((long)left.Count * right.Count > MaxExactStrings)
            {
                return null;
            }

            return [.. left.SelectMany(l => right.Select(r => l + r))];
        }

        private bool AllContainKeyword(List<string> strings) =>
            strings.All(s => keywords.Any(k => s.Contains(k, StringComparison.OrdinalIgnoreCase)));
    }
}
