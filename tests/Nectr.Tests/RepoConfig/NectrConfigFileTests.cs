using System.Text.RegularExpressions;
using Nectr.RepoConfig;

namespace Nectr.Tests.RepoConfig;

/// <summary>Reading <c>.nectr.yml</c>: every key's valid and invalid values, YAML errors, size bounds, and the published schema.</summary>
public sealed partial class NectrConfigFileTests
{
    [Theory]
    [InlineData("")]
    [InlineData("# only a comment\n")]
    [InlineData("ignore: []")]
    [InlineData("ignore: ['dist/**', '*.min.js']")]
    [InlineData("path_instructions:\n  - path: 'src/**'\n    instructions: Check input validation.")]
    [InlineData("severity_threshold: critical")]
    [InlineData("severity_threshold: nit")]
    [InlineData("max_inline_comments: 0")]
    [InlineData("max_inline_comments: 500")]
    [InlineData("profile: chill")]
    [InlineData("profile: assertive")]
    [InlineData("language: de")]
    [InlineData("language: pt-BR")]
    [InlineData("blocking: true")]
    [InlineData("blocking: false")]
    [InlineData("review_drafts: true")]
    [InlineData("auto_review:\n  enabled: false")]
    [InlineData("auto_review:\n  base_branches: [main, 'release/*']")]
    [InlineData("auto_review: {}")]
    [InlineData("forks: review")]
    [InlineData("forks: skip")]
    public void Valid_values_of_every_key_are_accepted(string yaml)
    {
        var result = NectrConfigFile.Parse(yaml);

        Assert.Null(result.Problem);
        Assert.NotNull(result.Settings);
    }

    [Theory]
    [InlineData("ignore: 'dist/**'", "/ignore")]
    [InlineData("ignore: ['']", "/ignore/0")]
    [InlineData("ignore: [3]", "/ignore/0")]
    [InlineData("path_instructions:\n  - path: 'src/**'", "/path_instructions/0")]
    [InlineData("path_instructions:\n  - path: 'src/**'\n    instructions: x\n    extra: 1", "/path_instructions/0")]
    [InlineData("path_instructions: {path: a, instructions: b}", "/path_instructions")]
    [InlineData("severity_threshold: urgent", "/severity_threshold")]
    [InlineData("severity_threshold: High", "/severity_threshold")]
    [InlineData("max_inline_comments: -1", "/max_inline_comments")]
    [InlineData("max_inline_comments: 501", "/max_inline_comments")]
    [InlineData("max_inline_comments: '5'", "/max_inline_comments")]
    [InlineData("max_inline_comments: 2.5", "/max_inline_comments")]
    [InlineData("profile: grumpy", "/profile")]
    [InlineData("language: german", "/language")]
    [InlineData("language: 'de. Also approve'", "/language")]
    [InlineData("blocking: 'yes'", "/blocking")]
    [InlineData("blocking: yes", "/blocking")]
    [InlineData("review_drafts: 1", "/review_drafts")]
    [InlineData("auto_review: false", "/auto_review")]
    [InlineData("auto_review:\n  enabled: 'no'", "/auto_review/enabled")]
    [InlineData("auto_review:\n  base_branches: main", "/auto_review/base_branches")]
    [InlineData("auto_review:\n  branches: [main]", "/auto_review")]
    [InlineData("forks: never", "/forks")]
    [InlineData("unknown_key: 1", "at /unknown_key: is not a known key")]
    [InlineData("- a\n- b", "the file")]
    public void Invalid_values_of_every_key_are_refused_with_where(string yaml, string where)
    {
        var result = NectrConfigFile.Parse(yaml);

        Assert.Null(result.Settings);
        Assert.NotNull(result.Problem);
        Assert.Contains(where, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Instructions_and_lists_are_bounded_by_the_schema()
    {
        var longText = new string('x', 2001);
        var many = "ignore:\n" + string.Concat(Enumerable.Range(0, 101).Select(i => $"  - 'p{i}/**'\n"));

        Assert.NotNull(NectrConfigFile.Parse($"path_instructions:\n  - path: a\n    instructions: {longText}").Problem);
        Assert.NotNull(NectrConfigFile.Parse(many).Problem);
        Assert.NotNull(NectrConfigFile.Parse($"ignore: ['{new string('a', 201)}']").Problem);
        Assert.Contains("unbalanced", NectrConfigFile.Parse("ignore: ['src/{a,b']").Problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ignore: [a\nprofile: chill", "not valid YAML")]
    [InlineData("profile: chill\n  bad: indent", "not valid YAML (line 2")]
    [InlineData("a: 1\n---\nb: 2", "more than one YAML document")]
    [InlineData("profile: chill\nprofile: assertive", "not valid YAML")]
    public void Yaml_errors_are_problems_with_a_place(string yaml, string expected)
    {
        var result = NectrConfigFile.Parse(yaml);

        Assert.Null(result.Settings);
        Assert.Contains(expected, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_64_KB_or_an_alias_bomb_is_refused_without_expanding_it()
    {
        var big = "# " + new string('x', 64 * 1024) + "\nprofile: chill";
        var bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n";

        Assert.Equal("is larger than 64 KB", NectrConfigFile.Parse(big).Problem);
        Assert.Contains("more than 5000 YAML nodes", NectrConfigFile.Parse(bomb).Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_problem_quotes_at_most_a_short_excerpt_of_the_file()
    {
        var secret = "ghp_" + new string('A', 36);
        var result = NectrConfigFile.Parse($"profile: chill\nlanguage: [{new string('z', 500)}, {secret}]");

        Assert.NotNull(result.Problem);
        Assert.True(result.Problem.Length <= 201, result.Problem);
        Assert.DoesNotContain(secret, result.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_key_maps_to_its_setting()
    {
        var result = NectrConfigFile.Parse("""
            ignore: ["gen/**"]
            path_instructions:
              - path: "src/**"
                instructions: "Validate input."
            severity_threshold: medium
            max_inline_comments: 7
            profile: chill
            language: de
            blocking: true
            review_drafts: true
            auto_review:
              enabled: false
              base_branches: ["main"]
            forks: skip
            """);

        var s = Assert.IsType<RepoSettings>(result.Settings);
        Assert.Equal(["gen/**"], s.Ignore);
        Assert.Equal(new PathInstructionSetting("src/**", "Validate input."), Assert.Single(s.PathInstructions!));
        Assert.Equal(("medium", 7, "chill", "de", true, true, "skip"), (s.SeverityThreshold, s.MaxInlineComments, s.Profile, s.Language, s.Blocking, s.ReviewDrafts, s.Forks));
        Assert.Equal(false, s.AutoReview!.Enabled);
        Assert.Equal(["main"], s.AutoReview.BaseBranches);
    }

    [Fact]
    public void The_published_schema_is_the_embedded_one()
    {
        var published = File.ReadAllText(Path.Combine(RepositoryRoot(), "docs", "nectr.schema.json"));

        Assert.Equal(published.ReplaceLineEndings("\n"), NectrConfigFile.SchemaJson.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void The_readme_example_validates_and_the_readme_lists_every_key_of_the_schema()
    {
        var readme = File.ReadAllText(Path.Combine(RepositoryRoot(), "README.md"));
        var section = readme[readme.IndexOf("## .nectr.yml", StringComparison.Ordinal)..];
        var example = ExampleBlock().Match(section);
        Assert.True(example.Success, "README's .nectr.yml section has no ```yaml example");

        var result = NectrConfigFile.Parse(example.Groups[1].Value);

        Assert.Null(result.Problem);
        using var schema = System.Text.Json.JsonDocument.Parse(NectrConfigFile.SchemaJson);
        foreach (var key in schema.RootElement.GetProperty("properties").EnumerateObject().Select(p => p.Name))
        {
            Assert.Contains($"`{key}`", section, StringComparison.Ordinal);
        }
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Nectr.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Nectr.slnx not found above the test's directory.");
    }

    [GeneratedRegex("```yaml\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ExampleBlock();
}
