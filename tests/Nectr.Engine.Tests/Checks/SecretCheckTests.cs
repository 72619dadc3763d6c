using Nectr.Engine.Checks.Secrets;
using Nectr.Engine.Diffs;

namespace Nectr.Engine.Tests.Checks;

public sealed class SecretCheckTests
{
    // Realistic but invented credentials of the shapes the gitleaks rules describe.
    internal const string AwsKey = "AKIAQ3WZ7XK2LMNP4RTV";
    internal const string GitHubPat = "ghp_R8mK2pLq9ZtW4vXc7NbJ3hYf6DsA1eUo0GiT";
    internal const string SlackBotToken = "xoxb-2841093875-5839201746-Tq8LmZp3VxR7kWc9NbF2hJd4";

    private static List<Engine.Review.Finding> Scan(string path, string patch) =>
        SecretCheck.Default.Scan(path, PatchParser.Parse(patch)).ToList();

    [Fact]
    public void An_added_AWS_access_key_is_found_on_its_line_and_not_echoed()
    {
        var findings = Scan("src/config.js", $"@@ -10,3 +10,4 @@ module.exports = {{\n   region: 'eu-west-1',\n+  accessKeyId: '{AwsKey}',\n   bucket: 'logs',\n }};");

        var finding = Assert.Single(findings);
        Assert.Equal("secret/aws-access-token", finding.RuleId);
        Assert.Equal(11, finding.Line);
        Assert.Equal(Engine.Review.Severity.Critical, finding.Severity);
        Assert.Contains("AWS access token", finding.Title, StringComparison.Ordinal);
        Assert.Contains("looks like an AWS access token (`AKIA…(20 characters)`", finding.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsKey, finding.Title + finding.Body + finding.Suggestion, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsKey[4..], finding.Body, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("aws-access-token", "an AWS access token")]
    [InlineData("ssh-private-key", "an SSH private key")]
    [InlineData("gcp-api-key", "a GCP API key")]
    [InlineData("github-pat", "a github PAT")]
    [InlineData("age-secret-key", "an age secret key")]
    [InlineData("slack-bot-token", "a slack bot token")]
    public void A_finding_names_its_credential_with_the_article_it_is_spoken_with(string ruleId, string expected) =>
        Assert.Equal(expected, SecretCheck.WithArticle(SecretCheck.Humanize(ruleId)));

    [Theory]
    [InlineData("token = \"" + GitHubPat + "\"", "secret/github-pat")]
    [InlineData("SLACK_TOKEN=" + SlackBotToken, "secret/slack-bot-token")]
    [InlineData("-----BEGIN RSA PRIVATE KEY-----", null)]
    public void Other_common_credentials_are_found(string line, string? ruleId)
    {
        var patch = line.StartsWith("-----BEGIN", StringComparison.Ordinal)
            ? "@@ -0,0 +1,5 @@\n+-----BEGIN RSA PRIVATE KEY-----\n+MIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gunVTLw7onLRnrq0\n+/n7DQ0akjzQVxvZ9s5VHkHd8k1m3VzwMGbkBKfVYRhKyt9jtxXVT9ZB7QVwi6Re3b0HoJp0c1m3t\n+a9ZlQqMzhYcBYbZ1Sj1YCZ0J6u1M1Yx3gQ8sKQJ4wHx0YfZbQ6LwT1RjM8tV2nU3kX7pA9cD5eG\n+-----END RSA PRIVATE KEY-----"
            : $"@@ -1,1 +1,2 @@\n context\n+{line}";

        var findings = Scan("deploy/settings.env", patch);

        Assert.NotEmpty(findings);
        if (ruleId is not null)
        {
            Assert.Contains(findings, f => f.RuleId == ruleId);
        }
        else
        {
            Assert.Contains(findings, f => f.RuleId == "secret/private-key");
        }
    }

    [Fact]
    public void Rules_run_for_keywords_anywhere_in_a_run_in_any_case()
    {
        // Many keyword hits of other rules ("token", "key", "api", "secret") come before the ones that matter, and the
        // AWS rule's keyword ("akia") is upper case in the text: every keyword occurrence must select its rules.
        var noise = string.Concat(Enumerable.Range(0, 40).Select(i => $"+var apiKey{i} = options.SecretToken ?? cancellationToken.ToString();\n"));
        var patch = $"@@ -1,1 +1,43 @@\n context\n{noise}+SLACK = \"{SlackBotToken}\"\n+AWS_KEY = '{AwsKey}'";

        var findings = Scan("src/Settings.cs", patch);

        Assert.Contains(findings, f => f.RuleId == "secret/slack-bot-token" && f.Line == 42);
        Assert.Contains(findings, f => f.RuleId == "secret/aws-access-token" && f.Line == 43);
    }

    [Fact]
    public void Removed_and_context_lines_are_not_scanned()
    {
        var findings = Scan("a.py", $"@@ -1,2 +1,1 @@\n-KEY = '{AwsKey}'\n OTHER_KEY = '{AwsKey.Replace('Q', 'R')}'");

        Assert.Empty(findings);
    }

    [Fact]
    public void Documented_example_keys_are_allowed_as_gitleaks_allows_them()
    {
        Assert.Empty(Scan("README.md", "@@ -1,0 +1,1 @@\n+aws_access_key_id = AKIAIOSFODNN7EXAMPLE"));
    }

    [Fact]
    public void The_gitleaks_ruleset_loads_and_at_most_one_pattern_fails_to_compile()
    {
        var rules = SecretRuleSet.Default;

        Assert.True(rules.Rules.Count >= 200, $"only {rules.Rules.Count} rules loaded");
        Assert.True(rules.Uncompilable.Count <= 1, "rules that do not compile: " + string.Join(", ", rules.Uncompilable));
        Assert.NotNull(rules.Global);
    }

    [Fact]
    public void Go_named_groups_are_translated()
    {
        Assert.Equal("(?<key>[a-z]+)", SecretRuleSet.Translate("(?P<key>[a-z]+)"));
    }

    [Fact]
    public void Redaction_shows_at_most_four_characters()
    {
        Assert.Equal("ghp_…(40 characters)", SecretCheck.Redact(GitHubPat));
        Assert.Equal("…(8 characters)", SecretCheck.Redact("hunter22"));
    }
}
