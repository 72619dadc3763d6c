using System.Buffers;
using System.Text.RegularExpressions;
using Nectr.Engine.Diffs;
using Nectr.Engine.Review;

namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// Finds credentials on added lines with the gitleaks rules. Like gitleaks, a rule's regex runs only on lines
/// that contain one of its keywords; one vectorised search over all keywords rules most lines out at once.
/// A finding never carries the secret, only a redacted form of it.
/// </summary>
internal sealed partial class SecretCheck
{
    private readonly SecretRuleSet _rules;
    private readonly SearchValues<string> _anyKeyword;
    private readonly Dictionary<char, string[]> _keywordsByFirstChar;
    private readonly SecretRule[] _alwaysRun;

    public SecretCheck(SecretRuleSet rules)
    {
        _rules = rules;
        var keywords = rules.Rules.SelectMany(r => r.Keywords).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToArray();
        _anyKeyword = SearchValues.Create(keywords, StringComparison.OrdinalIgnoreCase);
        // OrdinalIgnoreCase compares characters upper-cased, so the bucket of a text position is its upper-cased first character.
        _keywordsByFirstChar = keywords.GroupBy(k => char.ToUpperInvariant(k[0])).ToDictionary(g => g.Key, g => g.ToArray());
        _alwaysRun = rules.Rules.Where(r => r.Keywords.Count == 0).ToArray();
    }

    public static SecretCheck Default { get; } = new(SecretRuleSet.Default);

    public IEnumerable<Finding> Scan(string path, FilePatch patch)
    {
        if (_rules.Global is { } global && global.Paths.Any(p => p.Value is { } regex && Allowlist.SafeIsMatch(regex, path)))
        {
            yield break;
        }

        // Like gitleaks, rules see a fragment, not a single line: some (private keys) span lines. A fragment here
        // is a run of consecutive added lines, so nothing from context or removed lines can be reported.
        foreach (var run in AddedRuns(patch))
        {
            var hits = KeywordHits(run.Text);
            if (hits.Count == 0 && _alwaysRun.Length == 0)
            {
                continue;
            }

            var reported = new HashSet<string>(StringComparer.Ordinal);
            var lines = new LineStarts(run.Text);
            var timedOut = new List<(int Start, int Length)>();
            foreach (var rule in Candidates(hits))
            {
                foreach (var (secret, match, index) in Matches(rule, run.Text, Windows(rule, run.Text, hits, rule.Reach.Value, lines), timedOut))
                {
                    var (lineNumber, lineText) = run.LineAt(index);
                    if (reported.Contains(secret) || Allowed(rule, path, lineText, match, secret))
                    {
                        continue;
                    }

                    reported.Add(secret);
                    yield return ToFinding(rule, path, lineNumber, secret);
                }
            }

            // A window a rule could not finish (its regex timed out) was not checked: say so rather than pass it as clean.
            foreach (var (first, last) in timedOut
                .Select(w => (run.LineAt(w.Start).Line, run.LineAt(Math.Max(w.Start, w.Start + w.Length - 1)).Line))
                .Distinct()
                .Order())
            {
                yield return Unscanned(path, first, last);
            }
        }
    }

    private static Finding Unscanned(string path, int first, int last) => new(
        $"secret/{UnscannedRuleId}",
        path,
        first,
        last > first ? last : null,
        Severity.Medium,
        "security",
        "Secret scan could not finish on these lines",
        "A secret-detection rule ran out of time on these added lines (a pathological input, or a machine too busy), so they " +
        "were not checked for credentials. Look at them yourself.",
        null);

    /// <summary>Consecutive added lines, joined with newlines, with the new-file line number of each.</summary>
    private sealed class AddedRun(string text, int[] starts, int[] lines)
    {
        public string Text { get; } = text;

        public (int Line, string Text) LineAt(int index)
        {
            var i = Array.BinarySearch(starts, index);
            if (i < 0)
            {
                i = ~i - 1;
            }

            var end = i + 1 < starts.Length ? starts[i + 1] - 1 : Text.Length;
            return (lines[i], Text[starts[i]..end]);
        }
    }

    private static IEnumerable<AddedRun> AddedRuns(FilePatch patch)
    {
        var text = new System.Text.StringBuilder();
        var starts = new List<int>();
        var lines = new List<int>();
        foreach (var hunk in patch.Hunks)
        {
            foreach (var line in hunk.Lines)
            {
                if (line.Kind == DiffLineKind.Added)
                {
                    if (starts.Count > 0)
                    {
                        text.Append('\n');
                    }

                    starts.Add(text.Length);
                    lines.Add(line.NewLine);
                    text.Append(patch.LineSpan(line));
                    continue;
                }

                if (line.Kind == DiffLineKind.Removed && starts.Count > 0)
                {
                    continue; // removed lines interleave; the added text still reads as one block
                }

                if (starts.Count > 0)
                {
                    yield return new AddedRun(text.ToString(), [.. starts], [.. lines]);
                    text.Clear();
                    starts.Clear();
                    lines.Clear();
                }
            }

            if (starts.Count > 0)
            {
                yield return new AddedRun(text.ToString(), [.. starts], [.. lines]);
                text.Clear();
                starts.Clear();
                lines.Clear();
            }
        }
    }

    /// <summary>Rules whose keywords occur in the text; the catch-all generic rule goes last so specific names win.</summary>
    internal IEnumerable<SecretRule> Candidates(Dictionary<string, List<int>> hits) =>
        _alwaysRun.Concat(_rules.Rules.Where(r => r.Keywords.Any(hits.ContainsKey)))
            .OrderBy(r => r.Id.StartsWith("generic", StringComparison.Ordinal) ? 1 : 0);

    /// <summary>
    /// Where each keyword occurs in <paramref name="text"/> (start positions, ascending). Asking each of some 200 rules
    /// whether the text contains its keywords searched the whole text about 250 times; walking the few places where any
    /// keyword starts is one vectorised pass, which made this filter a visible share of a large review
    /// (docs/PERFORMANCE.md, issue #3). The positions then place each rule's windows (<see cref="KeywordWindows"/>).
    /// </summary>
    internal Dictionary<string, List<int>> KeywordHits(string text)
    {
        var hits = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        var span = text.AsSpan();
        var at = span.IndexOfAny(_anyKeyword);
        while (at >= 0)
        {
            var rest = span[at..];
            if (_keywordsByFirstChar.TryGetValue(char.ToUpperInvariant(rest[0]), out var keywords))
            {
                foreach (var keyword in keywords)
                {
                    if (rest.StartsWith(keyword, StringComparison.OrdinalIgnoreCase))
                    {
                        if (!hits.TryGetValue(keyword, out var positions))
                        {
                            hits[keyword] = positions = [];
                        }

                        positions.Add(at);
                    }
                }
            }

            var next = span[(at + 1)..].IndexOfAny(_anyKeyword);
            at = next < 0 ? -1 : at + 1 + next;
        }

        return hits;
    }

    /// <summary>
    /// The parts of <paramref name="text"/> the rule's regex runs on: windows around its keywords when its
    /// <paramref name="reach"/> is known, else the whole text (see <see cref="KeywordWindows"/>).
    /// </summary>
    internal static RuleWindows Windows(SecretRule rule, string text, Dictionary<string, List<int>> hits, KeywordReach? reach, LineStarts lines)
    {
        if (reach is null || text.AsSpan().IndexOfAny(KeywordWindows.RegexOnlyCaseFolds) >= 0)
        {
            return new RuleWindows([(0, text.Length)], null);
        }

        var positions = new List<int>();
        foreach (var keyword in rule.Keywords)
        {
            if (hits.TryGetValue(keyword, out var found))
            {
                positions.AddRange(found);
            }
        }

        positions.Sort();
        return new RuleWindows(KeywordWindows.For(text, positions, reach, lines), positions);
    }

    /// <summary>
    /// The rule's matches in each window, in text order, with the secret each one holds. A window whose scan times out
    /// yields nothing and is added to <paramref name="timedOut"/> (when given); the other windows are still scanned.
    /// </summary>
    internal static IEnumerable<(string Secret, string Match, int Index)> Matches(SecretRule rule, string text, RuleWindows windows,
        List<(int Start, int Length)>? timedOut = null, bool redacting = false)
    {
        if (rule.Regex.Value is not { } regex)
        {
            yield break;
        }

        // The keyword-first search needs every keyword occurrence, so only where the windows were built from them.
        var leadingRun = windows.Positions is null ? null : rule.LeadingRun.Value;
        var found = new List<Match>();
        foreach (var (start, length) in windows.Windows)
        {
            found.Clear();
            try
            {
                if (leadingRun is not null)
                {
                    found.AddRange(leadingRun.Matches(regex, text, start, length, windows.Positions!));
                }
                else
                {
                    for (var match = regex.Match(text, start, length); match.Success; match = match.NextMatch())
                    {
                        found.Add(match);
                    }
                }
            }
            catch (RegexMatchTimeoutException)
            {
                timedOut?.Add((start, length));
                continue;
            }

            foreach (var match in found)
            {
                if (Secret(rule, match, redacting) is { } secret)
                {
                    yield return secret;
                }
            }
        }
    }

    /// <summary>
    /// The secret a match holds and where it starts, or null when it is empty or too regular (entropy). When
    /// <paramref name="redacting"/>, a hex key passes whatever its entropy: a hex string's entropy is at most 4 bits a
    /// character, and one random 32-digit hex key in five falls under the generic rule's 3.5. Gitleaks accepts that
    /// miss to report fewer false positives; a prompt must not carry the key.
    /// </summary>
    internal static (string Secret, string Match, int Index)? Secret(SecretRule rule, Match match, bool redacting = false)
    {
        var secret = SecretOf(rule, match);
        if (secret.Length == 0
            || (rule.Entropy is { } minimum && ShannonEntropy(secret) < minimum && !(redacting && IsHexKey(secret))))
        {
            return null;
        }

        return (secret, match.Value, SecretIndex(rule, match));
    }

    /// <summary>16 or more hex digits with both a digit and a letter: too long for a word or a number.</summary>
    internal static bool IsHexKey(string value) =>
        value.Length >= 16
        && !value.AsSpan().ContainsAnyExcept(HexDigits)
        && value.AsSpan().ContainsAnyInRange('0', '9')
        && value.AsSpan().ContainsAnyExceptInRange('0', '9');

    private static readonly SearchValues<char> HexDigits = SearchValues.Create("0123456789abcdefABCDEF");

    private static int SecretIndex(SecretRule rule, Match match)
    {
        var group = rule.SecretGroup > 0 && rule.SecretGroup < match.Groups.Count ? match.Groups[rule.SecretGroup]
            : match.Groups.Cast<Group>().Skip(1).FirstOrDefault(g => g.Success && g.Length > 0);
        return group?.Index ?? match.Index;
    }

    private static string SecretOf(SecretRule rule, Match match)
    {
        if (rule.SecretGroup > 0 && rule.SecretGroup < match.Groups.Count)
        {
            return match.Groups[rule.SecretGroup].Value;
        }

        // As in gitleaks: without secretGroup, the first non-empty capture group is the secret, else the whole match.
        for (var i = 1; i < match.Groups.Count; i++)
        {
            if (match.Groups[i].Success && match.Groups[i].Length > 0)
            {
                return match.Groups[i].Value;
            }
        }

        return match.Value;
    }

    private bool Allowed(SecretRule rule, string path, string line, string match, string secret)
    {
        if (rule.Path?.Value is { } pathRegex && !Allowlist.SafeIsMatch(pathRegex, path))
        {
            return true; // the rule applies to other kinds of file only
        }

        if (_rules.Global is { } global)
        {
            if (global.Regexes.Any(r => r.Value is { } regex && Allowlist.SafeIsMatch(regex, secret))
                || global.StopWords.Any(w => secret.Contains(w, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return rule.Allowlists.Any(a => a.Allows(path, line, match, secret));
    }

    internal static double ShannonEntropy(string value)
    {
        Span<int> counts = stackalloc int[128];
        var other = new Dictionary<char, int>();
        foreach (var c in value)
        {
            if (c < 128)
            {
                counts[c]++;
            }
            else
            {
                other[c] = other.GetValueOrDefault(c) + 1;
            }
        }

        double entropy = 0;
        void Add(int count)
        {
            if (count > 0)
            {
                var p = (double)count / value.Length;
                entropy -= p * Math.Log2(p);
            }
        }

        foreach (var count in counts)
        {
            Add(count);
        }

        foreach (var count in other.Values)
        {
            Add(count);
        }

        return entropy;
    }

    /// <summary>Enough to recognise the credential, never enough to use it.</summary>
    internal static string Redact(string secret) =>
        secret.Length >= 16 ? $"{secret[..4]}…({secret.Length} characters)" : $"…({secret.Length} characters)";

    private static Finding ToFinding(SecretRule rule, string path, int line, string secret) => new(
        $"secret/{rule.Id}",
        path,
        line,
        null,
        Severity.Critical,
        "security",
        $"Possible {Humanize(rule.Id)} committed",
        $"This added line contains what looks like {WithArticle(Humanize(rule.Id))} (`{Redact(secret)}`, gitleaks rule `{rule.Id}`). " +
        "If it is a real credential, revoke and rotate it now: deleting it in a later commit does not remove it from the Git history. " +
        "Load it from the environment or a secret store instead.",
        null);

    private static readonly HashSet<string> Acronyms = new(StringComparer.OrdinalIgnoreCase)
    {
        "aws", "api", "gcp", "jwt", "ssh", "npm", "pypi", "pat", "id", "url", "sdk", "iam", "pem", "rsa", "dsa", "ec", "pgp", "gpg", "ad", "sas", "db", "ai",
    };

    /// <summary>"a" or "an" as the phrase is spoken: "an AWS access token", "a GitHub PAT", "an age secret key".</summary>
    internal static string WithArticle(string phrase)
    {
        var first = phrase.Split(' ')[0];
        // An acronym is spelled out letter by letter, so it is its first letter's name that decides: "en", "ess", "ar".
        var vowelSound = first.Length > 1 && first.All(char.IsAsciiLetterUpper)
            ? "AEFHILMNORSX".Contains(first[0], StringComparison.Ordinal)
            : first.Length > 0 && "aeiouAEIOU".Contains(first[0], StringComparison.Ordinal);
        return (vowelSound ? "an " : "a ") + phrase;
    }

    internal static string Humanize(string id)
    {
        var words = id.Split('-', StringSplitOptions.RemoveEmptyEntries)
            .Select(w => Acronyms.Contains(w) ? w.ToUpperInvariant() : w);
        return string.Join(' ', words);
    }
}

/// <summary>Where a rule's regex runs, and the sorted keyword occurrences they came from (null when it runs on the whole text).</summary>
internal sealed record RuleWindows(List<(int Start, int Length)> Windows, List<int>? Positions);
