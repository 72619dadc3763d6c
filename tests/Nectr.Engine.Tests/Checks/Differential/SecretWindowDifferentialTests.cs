using System.Text.RegularExpressions;
using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Checks.Differential;

/// <summary>
/// Issue #13: each gitleaks rule runs only on windows around its keywords, and that must change nothing. Every text of
/// three corpora is redacted both ways, the product's windowed scan against <see cref="WholeTextSecretScan"/>, and the
/// spans (position, length, rule) must be identical, which makes the redacted text byte-identical.
/// </summary>
public sealed class SecretWindowDifferentialTests
{
    private static readonly SecretCheck Check = SecretCheck.Default;

    [Fact]
    public void The_windowed_scan_equals_the_whole_text_scan_on_the_products_fixtures()
    {
        var texts = DifferentialCorpus.ProductFixtures().ToList();

        Assert.True(texts.Count > 200, $"only {texts.Count} fixture texts were found");
        AssertIdentical(texts, Check.FindSecrets, minimumSpans: 20);
    }

    [Fact]
    public void The_windowed_scan_equals_the_whole_text_scan_on_2000_real_patches()
    {
        Assert.Equal(2000, DifferentialCorpus.JQueryPatchTexts().Count);

        // jQuery holds no credential, but its code is full of the generic rule's keywords (key, token, api, auth):
        // the windows are exercised on every such text.
        var texts = DifferentialCorpus.JQueryPatches().ToList();
        Assert.True(texts.Count(t => Check.KeywordHits(t).Count > 0) > 2000, "the real patches hardly contain keywords");
        AssertIdentical(texts, Check.FindSecrets, minimumSpans: 0);
    }

    [Fact]
    public void The_windowed_scan_equals_the_whole_text_scan_on_planted_secrets_of_every_rule()
    {
        AssertIdentical(PlantedSecrets.WithExpected, Check.FindSecrets, minimumSpans: 1000);
    }

    [Fact]
    public void Every_rule_has_planted_secrets_the_whole_text_scan_redacts()
    {
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (_, expected) in PlantedSecrets.WithExpected)
        {
            found.UnionWith(expected.Select(s => s.RuleId));
        }

        var missing = SecretRuleSet.Default.Rules.Where(r => r.Regex.Value is not null).Select(r => r.Id).Where(id => !found.Contains(id)).ToList();
        Assert.True(missing.Count == 0, $"no planted secret of {missing.Count} rules is redacted: {string.Join(", ", missing)}");
    }

    [Fact]
    public void Most_rules_run_on_windows_and_those_that_can_span_lines_get_windows_as_wide()
    {
        var rules = SecretRuleSet.Default.Rules;
        var windowed = rules.Where(r => r.Reach.Value is not null).ToList();

        Assert.True(windowed.Count >= 190, $"only {windowed.Count} of {rules.Count} rules run on windows; whole text: {string.Join(", ", rules.Except(windowed).Select(r => r.Id))}");
        var generic = rules.Single(r => r.Id == "generic-api-key").Reach.Value;
        // [\s'"]{0,3} … [\x60'"\s=]{0,5} … (?:[\x60'"\s;]|…): up to 9 line breaks after the keyword, none before it.
        Assert.Equal(new KeywordReach(BeforeChars: 57, BeforeLines: 0, AfterChars: null, AfterLines: 9), generic);
        Assert.Null(rules.Single(r => r.Id == "private-key").Reach.Value); // [\s\S-]{64,}?: any number of lines
    }

    /// <summary>
    /// The corpus can fail the test: a window narrower than the rule's reach is caught. A window is the reach plus one
    /// character before and two after (<see cref="KeywordWindows"/>), so a bound shrunk by less than that margin can
    /// still hold the match; shrunk past it (two lines, three characters) the windowed scan misses or cuts planted
    /// secrets, chiefly the stretched ones (every repeat at its maximum, a line break wherever one fits).
    /// </summary>
    [Theory]
    [InlineData("lines after")]
    [InlineData("lines before")]
    [InlineData("characters before")]
    [InlineData("characters after")]
    public void A_window_narrower_than_the_rule_allows_is_caught(string bound)
    {
        KeywordReach? Narrower(SecretRule rule) => rule.Reach.Value is not { } reach ? null : bound switch
        {
            "lines after" => reach with { AfterLines = reach.AfterLines is >= 2 and var n ? n - 2 : reach.AfterLines },
            "lines before" => reach with { BeforeLines = reach.BeforeLines is >= 2 and var n ? n - 2 : reach.BeforeLines },
            "characters before" => reach with { BeforeChars = reach.BeforeChars is >= 2 and var n ? n - 2 : reach.BeforeChars },
            _ => reach with { AfterChars = reach.AfterChars is >= 3 and var n ? n - 3 : reach.AfterChars },
        };

        var caught = PlantedSecrets.WithExpected.Any(t => !Check.FindSecrets(t.Text, Narrower).SequenceEqual(t.Expected));

        Assert.True(caught, $"narrowing '{bound}' went unnoticed");
    }

    [Fact]
    public void Every_character_the_regex_engine_folds_onto_a_keyword_character_but_ordinal_ignore_case_does_not_forces_the_whole_text()
    {
        var keywordChars = SecretRuleSet.Default.Rules.SelectMany(r => r.Keywords).SelectMany(k => k).Distinct().ToList();
        var missing = new List<string>();
        foreach (var k in keywordChars)
        {
            var regex = new Regex("^" + Regex.Escape(k.ToString()) + "$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
            for (var c = 0; c <= char.MaxValue; c++)
            {
                var text = ((char)c).ToString();
                if (regex.IsMatch(text) && !string.Equals(text, k.ToString(), StringComparison.OrdinalIgnoreCase)
                    && !KeywordWindows.RegexOnlyCaseFolds.Contains((char)c))
                {
                    missing.Add($"U+{c:X4} (as '{k}')");
                }
            }
        }

        Assert.Empty(missing);
    }

    [Fact]
    public void A_Kelvin_sign_in_a_keyword_still_gets_its_secret_redacted()
    {
        // "(?i)…key…" matches "\u212Aey"; the ordinal keyword search does not see it as "key", so the text is scanned whole.
        var text = "api_version = 2\n" + string.Concat(Enumerable.Repeat("// filler line\n", 20)) + "\u212Aey = \"Zx9q2Lm7Vt4Rk8Wp3Nc6\"";

        Assert.Equal(WholeTextSecretScan.FindSecrets(Check, text), Check.FindSecrets(text));
        Assert.Contains("[REDACTED:", SecretRedactor.Redact(text), StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_led_by_a_lazy_word_run_are_searched_keyword_first()
    {
        var rules = SecretRuleSet.Default.Rules;
        var keywordFirst = rules.Where(r => r.LeadingRun.Value is not null).Select(r => r.Id).ToList();

        Assert.Contains("generic-api-key", keywordFirst);
        Assert.True(keywordFirst.Count >= 75, $"only {keywordFirst.Count} rules are searched keyword first");
        Assert.Null(rules.Single(r => r.Id == "private-key").LeadingRun.Value);
    }

    /// <summary>
    /// The keyword-first search's own edge cases (<see cref="LeadingRun"/>): word runs of every length up to past the 50
    /// the rule allows before a keyword, several keywords inside one run, matches back to back so the next one starts
    /// where the previous ended, a value running to the end of the text, dots and dashes in the run.
    /// </summary>
    [Fact]
    public void The_keyword_first_search_equals_the_whole_text_scan_on_runs_of_every_length_before_keywords()
    {
        var random = new Random(1350);
        string[] keywords = ["api", "API", "Api", "key", "token", "secret", "auth", "access", "password", "passwd", "creds", "credential", "adafruit", "TOKEN"];
        string[] operators = ["=", " = ", ": ", ":=", "=>", " => ", ",", "||", "?=", ":::="];
        const string runChars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-";
        const string valueChars = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ+/";
        var texts = new List<string>();
        for (var n = 0; n < 3000; n++)
        {
            var builder = new System.Text.StringBuilder();
            for (int part = 0, parts = 1 + random.Next(4); part < parts; part++)
            {
                var separator = random.Next(4) switch { 0 => "", 1 => " ", 2 => "\n", _ => "(\"" };
                builder.Append(separator);
                for (int i = 0, run = random.Next(5) == 0 ? 45 + random.Next(12) : random.Next(60); i < run; i++)
                {
                    builder.Append(random.Next(8) == 0 ? keywords[random.Next(keywords.Length)] : runChars[random.Next(runChars.Length)].ToString());
                }

                builder.Append(keywords[random.Next(keywords.Length)]).Append(random.Next(3) == 0 ? "_id" : "");
                builder.Append(operators[random.Next(operators.Length)]).Append(random.Next(2) == 0 ? "\"" : "");
                for (int i = 0, value = 8 + random.Next(30); i < value; i++)
                {
                    builder.Append(valueChars[random.Next(valueChars.Length)]);
                }

                builder.Append(random.Next(3) switch { 0 => "", 1 => "\";", _ => "\" " });
            }

            texts.Add(builder.ToString());
        }

        AssertIdentical(texts, Check.FindSecrets, minimumSpans: 1500);
        AssertSameMatchesAsTheRegexScan(texts);
    }

    /// <summary>
    /// Spans show only the secret group; the keyword-first search must also return the regex scan's whole matches (same
    /// start, so the same run length, and length), which allowlists on the match read.
    /// </summary>
    private static void AssertSameMatchesAsTheRegexScan(List<string> texts)
    {
        var rules = SecretRuleSet.Default.Rules.Where(r => r.LeadingRun.Value is not null && r.Regex.Value is not null).ToList();
        var compared = 0;
        foreach (var text in texts)
        {
            var hits = Check.KeywordHits(text);
            foreach (var rule in rules)
            {
                var positions = rule.Keywords.SelectMany(k => hits.TryGetValue(k, out var found) ? found : []).Order().ToList();
                if (positions.Count == 0)
                {
                    continue;
                }

                var expected = rule.Regex.Value!.Matches(text).Select(m => (m.Index, m.Length)).ToList();
                var actual = rule.LeadingRun.Value!.Matches(rule.Regex.Value!, text, 0, text.Length, positions).Select(m => (m.Index, m.Length)).ToList();
                Assert.True(expected.SequenceEqual(actual), $"{rule.Id} on '{Escape(text)}': scan {string.Join(' ', expected)}, keyword first {string.Join(' ', actual)}");
                compared += expected.Count;
            }
        }

        Assert.True(compared > 1500, $"only {compared} matches compared");
    }

    private static void AssertIdentical(IEnumerable<string> texts, Func<string, List<SecretSpan>> windowed, int minimumSpans) =>
        AssertIdentical(texts.Select(t => (t, WholeTextSecretScan.FindSecrets(Check, t))), windowed, minimumSpans);

    private static void AssertIdentical(IEnumerable<(string Text, List<SecretSpan> Expected)> cases, Func<string, List<SecretSpan>> windowed, int minimumSpans)
    {
        var failures = new List<string>();
        var spans = 0;
        var count = 0;
        foreach (var (text, expected) in cases)
        {
            count++;
            var actual = windowed(text);
            spans += expected.Count;
            // A regex that timed out (a starved machine: the oracle has no timeout) redacts its whole window instead,
            // so the result may then be wider than the oracle's, never narrower; otherwise it must be identical.
            var same = actual.Any(s => s.RuleId == SecretCheck.UnscannedRuleId)
                ? expected.All(e => actual.Any(a => a.Start <= e.Start && e.End <= a.End))
                : actual.SequenceEqual(expected);
            if (!same && failures.Count < 3)
            {
                failures.Add($"text #{count} ({text.Length} chars): {FirstDifference(text, expected, actual)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
        Assert.True(spans >= minimumSpans, $"the corpus of {count} texts holds only {spans} secrets");
    }

    private static string FirstDifference(string text, List<SecretSpan> expected, List<SecretSpan> actual)
    {
        var i = 0;
        while (i < expected.Count && i < actual.Count && expected[i] == actual[i])
        {
            i++;
        }

        var whole = i < expected.Count ? expected[i].ToString() : "nothing more";
        var windows = i < actual.Count ? actual[i].ToString() : "nothing more";
        var at = Math.Min(i < expected.Count ? expected[i].Start : int.MaxValue, i < actual.Count ? actual[i].Start : int.MaxValue);
        var from = Math.Max(0, at - 150);
        return $"whole text has {whole}, windows have {windows}, around '{Escape(text[from..Math.Min(text.Length, at + 150)])}'";
    }

    private static string Escape(string text) => text.Replace("\n", "\\n", StringComparison.Ordinal);
}
