using Nectr.Engine.Prompts;

namespace Nectr.Engine.Tests.Prompts;

public sealed class SecretRedactorTests
{
    [Theory]
    [InlineData("aws_access_key_id = " + Secrets.AwsKeyId, "[REDACTED:aws-access-token]")]
    [InlineData("aws_secret_access_key = \"" + Secrets.AwsSecret + "\"", "[REDACTED:")]
    [InlineData("token: " + Secrets.GitHubPat, "[REDACTED:github-pat]")]
    [InlineData("API_KEY=" + Secrets.Canary, "[REDACTED:")]
    [InlineData("password = \"" + Secrets.Canary + "\"", "[REDACTED:")]
    [InlineData("{\"summary\": \"found password = \\\"" + Secrets.Canary + "\\\"\"}", "[REDACTED:")]
    public void A_credential_is_replaced_by_the_rule_that_found_it(string text, string marker)
    {
        var redacted = SecretRedactor.Redact(text);

        Assert.Contains(marker, redacted, StringComparison.Ordinal);
        Assert.All(Secrets.Fragments, f => Assert.DoesNotContain(f, redacted, StringComparison.Ordinal));
    }

    [Fact]
    public void A_private_key_block_is_replaced_whole()
    {
        var redacted = SecretRedactor.Redact("key:\n" + Secrets.PrivateKey + "\nnext: 1");

        Assert.Equal("key:\n[REDACTED:private-key]\nnext: 1", redacted);
    }

    [Fact]
    public void Text_without_credentials_is_returned_unchanged()
    {
        const string text = "var total = items.Sum(i => i.Amount); // the key point: rounding";

        Assert.Same(text, SecretRedactor.Redact(text));
    }

    [Fact]
    public void Documented_example_keys_stay_as_gitleaks_allows_them()
    {
        Assert.Equal("aws_access_key_id = AKIAIOSFODNN7EXAMPLE", SecretRedactor.Redact("aws_access_key_id = AKIAIOSFODNN7EXAMPLE"));
    }
}
