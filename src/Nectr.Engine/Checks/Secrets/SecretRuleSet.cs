using System.Reflection;
using System.Text.RegularExpressions;
using Tomlyn;
using Tomlyn.Model;

namespace Nectr.Engine.Checks.Secrets;

/// <summary>
/// The gitleaks default ruleset, read once from the engine assembly. Go regular-expression syntax that .NET
/// spells differently is translated; a rule that still does not compile is left out and listed in
/// <see cref="Uncompilable"/> rather than failing the review.
/// </summary>
internal sealed partial class SecretRuleSet
{
    /// <summary>PR content is attacker-controlled: no rule may stall a review with catastrophic backtracking.</summary>
    internal static readonly TimeSpan MatchTimeout = TimeSpan.FromMilliseconds(250);

    private static readonly Lazy<SecretRuleSet> DefaultSet = new(() => Load(ReadResource("Nectr.Engine.gitleaks-default.toml")));

    private SecretRuleSet(IReadOnlyList<SecretRule> rules, Allowlist? global)
    {
        Rules = rules;
        Global = global;
    }

    public static SecretRuleSet Default => DefaultSet.Value;

    public IReadOnlyList<SecretRule> Rules { get; }

    public Allowlist? Global { get; }

    /// <summary>Rules whose pattern is not a valid .NET regular expression even after translation (compiles them all).</summary>
    public IReadOnlyList<string> Uncompilable => Rules.Where(r => r.Regex.Value is null).Select(r => r.Id).ToList();

    internal static SecretRuleSet Load(string toml)
    {
        var model = TomlSerializer.Deserialize<TomlTable>(toml)!;
        var rules = new List<SecretRule>();
        if (model.TryGetValue("rules", out var rawRules) && rawRules is TomlTableArray ruleTables)
        {
            foreach (var table in ruleTables)
            {
                if (Text(table, "regex") is not { } pattern)
                {
                    continue; // path-only rules flag whole files (e.g. key stores); the line scanner cannot apply them
                }

                var keywords = Strings(table, "keywords").Select(k => k.ToLowerInvariant()).ToList();
                rules.Add(new SecretRule
                {
                    Id = Text(table, "id") ?? "unnamed",
                    Description = Text(table, "description") ?? "",
                    Pattern = pattern,
                    Regex = Compile(pattern),
                    Path = Text(table, "path") is { } path ? Compile(path) : null,
                    Entropy = table.TryGetValue("entropy", out var entropy) ? Convert.ToDouble(entropy, System.Globalization.CultureInfo.InvariantCulture) : null,
                    SecretGroup = table.TryGetValue("secretGroup", out var group) ? Convert.ToInt32(group, System.Globalization.CultureInfo.InvariantCulture) : 0,
                    Keywords = keywords,
                    Allowlists = RuleAllowlists(table),
                    Reach = new(() => KeywordReach.Of(Translate(pattern), keywords)),
                    LeadingRun = new(() => Secrets.LeadingRun.Of(Translate(pattern), keywords, MatchTimeout)),
                });
            }
        }

        var global = model.TryGetValue("allowlist", out var rawGlobal) && rawGlobal is TomlTable globalTable ? ReadAllowlist(globalTable) : null;
        return new SecretRuleSet(rules, global);
    }

    private static List<Allowlist> RuleAllowlists(TomlTable rule)
    {
        var lists = new List<Allowlist>();
        if (rule.TryGetValue("allowlists", out var many) && many is TomlTableArray tables)
        {
            lists.AddRange(tables.Select(ReadAllowlist));
        }

        if (rule.TryGetValue("allowlist", out var one) && one is TomlTable table)
        {
            lists.Add(ReadAllowlist(table));
        }

        return lists;
    }

    private static Allowlist ReadAllowlist(TomlTable table) => new()
    {
        Regexes = Strings(table, "regexes").Select(Compile).ToList(),
        Target = Text(table, "regexTarget") switch { "match" => AllowTarget.Match, "line" => AllowTarget.Line, _ => AllowTarget.Secret },
        StopWords = Strings(table, "stopwords"),
        Paths = Strings(table, "paths").Select(Compile).ToList(),
        RequireAll = string.Equals(Text(table, "condition"), "AND", StringComparison.OrdinalIgnoreCase),
    };

    /// <summary>Go's RE2 syntax → .NET: named groups are <c>(?P&lt;n&gt;…)</c> in Go, <c>(?&lt;n&gt;…)</c> in .NET.</summary>
    internal static string Translate(string pattern) => GoNamedGroup().Replace(pattern, "(?<");

    private static Lazy<Regex?> Compile(string pattern) => new(() =>
    {
        try
        {
            return new Regex(Translate(pattern), RegexOptions.CultureInvariant | RegexOptions.Compiled, MatchTimeout);
        }
        catch (ArgumentException)
        {
            return null;
        }
    });

    private static string? Text(TomlTable table, string key) => table.TryGetValue(key, out var value) ? value as string : null;

    private static List<string> Strings(TomlTable table, string key) =>
        table.TryGetValue(key, out var value) && value is TomlArray array ? array.OfType<string>().ToList() : [];

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The engine assembly lacks its embedded resource {name}.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }

    [GeneratedRegex(@"\(\?P<")]
    private static partial Regex GoNamedGroup();
}
