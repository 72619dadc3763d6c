using System.Text;
using Nectr.Engine.Checks.Secrets;

namespace Nectr.Engine.Tests.Checks.Differential;

/// <summary>
/// Generated texts with secrets of every rule planted in realistic surroundings. Each secret is drawn from the rule's
/// own regex (<see cref="PatternNode"/>): a class that can match a line break draws one a quarter of the time, and a
/// bounded repeat often takes its maximum, so matches that stretch as far from their keyword as the rule allows, in
/// characters and in lines, are common; those are the ones a window too narrow would miss.
/// </summary>
internal static class PlantedSecrets
{
    private const int SamplesPerRule = 4;

    private static readonly char[] Drawable = ['\n', '\t', .. Enumerable.Range(' ', '~' - ' ' + 1).Select(c => (char)c)];

    /// <summary>(rule id, sample) pairs: <see cref="SamplesPerRule"/> drawn from each rule's regex.</summary>
    public static IReadOnlyList<(string RuleId, string Sample)> Samples { get; } = Draw();

    /// <summary>Each text with the whole-text scan's spans, computed once for all the tests that use them.</summary>
    public static IReadOnlyList<(string Text, List<SecretSpan> Expected)> WithExpected => Expected.Value;

    private static readonly Lazy<List<(string, List<SecretSpan>)>> Expected =
        new(() => [.. Texts().Select(t => (t, WholeTextSecretScan.FindSecrets(SecretCheck.Default, t)))]);

    public static IEnumerable<string> Texts()
    {
        var samples = Samples;
        for (var i = 0; i < samples.Count; i++)
        {
            var s = samples[i].Sample;
            var next = samples[(i + 7) % samples.Count].Sample;
            yield return s;
            yield return $"const value = {s}; // set by the deploy script";
            yield return $"{s}\nreturn options;";
            yield return $"using System;\n\nnamespace Billing;\n  // rotate monthly\n{s}\n\n}}\n";
            yield return $"export const config = {{\n  region: 'eu-west-1',\n  value: \"{s}\",\n  retries: 3,\n}};";
            yield return $"ITEM = {s.ToUpperInvariant()}\n";
            yield return UpperCaseKeywords($"key: {s}\nnext: 1");
            yield return s + next;
            yield return s + "\n" + next;
            yield return s.Replace('k', '\u212A'); // a Kelvin sign: the whole-text fallback
            yield return $"/* api token below */\n\n\n\n\n\n\n\n\n\n\n{s}";
        }

        yield return KubernetesSecret;
        // Adjacent secrets of different rules, in runs short enough that no whole-text scan nears the match timeout
        // (a timed-out rule finds nothing, which would compare the timeout, not the windows).
        foreach (var run in samples.Chunk(8))
        {
            yield return string.Join('\n', run.Select(s => s.Sample));
            yield return string.Join(' ', run.Select(s => s.Sample));
            yield return string.Concat(run.Select(s => s.Sample));
        }
    }

    /// <summary>A manifest for the one rule whose regex is too intricate to draw from (it is scanned whole in any case).</summary>
    private const string KubernetesSecret = """
        apiVersion: v1
        kind: Secret
        metadata:
          name: billing-db
        type: Opaque
        data:
          password: c2VjcmV0UGFzc3dvcmQxMjM0NTY=
          username: YmlsbGluZ19hcHA=
        """;

    private static string UpperCaseKeywords(string text)
    {
        foreach (var keyword in SecretRuleSet.Default.Rules.SelectMany(r => r.Keywords).Distinct(StringComparer.Ordinal))
        {
            var at = text.IndexOf(keyword, StringComparison.OrdinalIgnoreCase);
            if (at >= 0)
            {
                text = string.Concat(text.AsSpan(0, at), keyword.ToUpperInvariant(), text.AsSpan(at + keyword.Length));
            }
        }

        return text;
    }

    private static List<(string, string)> Draw()
    {
        var samples = new List<(string, string)>();
        foreach (var rule in SecretRuleSet.Default.Rules.Where(r => r.Regex.Value is not null))
        {
            PatternNode root;
            try
            {
                root = PatternNode.Parse(SecretRuleSet.Translate(rule.Pattern));
            }
            catch (NotSupportedException)
            {
                continue; // reported by the coverage test: every rule must have planted secrets
            }

            var random = new Random(rule.Id.Aggregate(17, (seed, c) => unchecked((seed * 31) + c))); // stable across runs
            for (var i = 0; i < SamplesPerRule; i++)
            {
                var builder = new StringBuilder();
                Generate(root, random, builder, stretch: i == 0);
                samples.Add((rule.Id, builder.ToString()));
            }
        }

        return samples;
    }

    /// <summary>Draws a string the pattern matches; <paramref name="stretch"/> takes every bounded repeat at its maximum and a line break wherever one fits, the farthest reach a match can have.</summary>
    private static void Generate(PatternNode node, Random random, StringBuilder builder, bool stretch)
    {
        switch (node)
        {
            case LiteralNode literal:
                builder.Append(literal.Value);
                break;
            case ClassNode { Source: "." } when random.Next(4) > 0:
                builder.Append('.'); // an unescaped '.' in a host name (hooks.slack.com): keep the keyword readable
                break;
            case ClassNode c:
                var members = Drawable.Where(c.Matches).ToArray();
                var lineBreak = members.Contains('\n') && (stretch || random.Next(4) == 0);
                var others = members.Where(m => m != '\n').ToArray();
                builder.Append(lineBreak || others.Length == 0 ? '\n' : others[random.Next(others.Length)]);
                break;
            case SequenceNode sequence:
                foreach (var item in sequence.Items)
                {
                    Generate(item, random, builder, stretch);
                }

                break;
            case AlternationNode alternation:
                Generate(alternation.Branches[random.Next(alternation.Branches.Count)], random, builder, stretch);
                break;
            case RepeatNode repeat:
                var most = repeat.Max ?? repeat.Min + 12;
                var count = stretch && repeat.Max is not null ? most : random.Next(3) switch
                {
                    0 => most,
                    1 => repeat.Min,
                    _ => random.Next(repeat.Min, Math.Min(most, repeat.Min + 12) + 1),
                };
                for (var i = 0; i < count; i++)
                {
                    Generate(repeat.Item, random, builder, stretch);
                }

                break;
        }
    }
}
