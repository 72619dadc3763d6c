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

    /// <summary>
    /// The canaries that once leaked from <c>PromptInjectionTests</c> (about one random draw in a thousand): each holds
    /// one of the generic rule's 1,400 stop words ("feed", "dead", "cafe", "face"). Gitleaks does not report such a
    /// value, and the secret check follows it there, but redaction must not let it reach a model.
    /// </summary>
    [Theory]
    [InlineData("NECTR_CANARY_0c7fcd60e2936feed2f01eed27cc9eba")]
    [InlineData("NECTR_CANARY_71b5e4fedbdead07422e525e382f5e67")]
    [InlineData("c7f3a9cafe0b41d2e8f6a5b4c3d2e1f0")]
    [InlineData("Zq8xFaCe3kLm9PwRt2VbNy7HsJd4GuEo")]
    public void A_key_holding_a_stop_word_is_still_redacted(string key)
    {
        string[] texts = [$"API_KEY={key}\nDEBUG=false", $"+API_KEY={key}\n+DEBUG=false", $"import os\npassword = \"{key}\"\nTIMEOUT = 30"];

        Assert.All(texts, text => Assert.DoesNotContain(key, SecretRedactor.Redact(text), StringComparison.Ordinal));
    }

    /// <summary>
    /// Random keys of the shapes that have no provider rule of their own, only the generic one: every one with a digit
    /// in it is redacted. (Gitleaks lets values of letters only pass as identifiers, and values under its entropy
    /// threshold of 3.5 as words, which this property test avoids by length and by its digit.)
    /// </summary>
    [Fact]
    public void Random_keys_are_redacted_whatever_words_they_happen_to_spell()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        var random = new Random(20261202);
        var leaked = new List<string>();
        for (var i = 0; i < 3000; i++)
        {
            var length = 32 + random.Next(33);
            var key = new string([.. Enumerable.Range(0, length - 1).Select(_ => alphabet[random.Next(alphabet.Length)]), (char)('0' + random.Next(10))]);
            var hex = Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64())) + Convert.ToHexStringLower(BitConverter.GetBytes(random.NextInt64()));
            foreach (var text in new[] { $"DB_PASSWORD={key}\n", $"secret: \"{hex}\"\n" })
            {
                if (SecretRedactor.Redact(text) == text)
                {
                    leaked.Add(text.TrimEnd());
                }
            }
        }

        Assert.True(leaked.Count == 0, $"{leaked.Count} random keys reached the prompt unredacted, e.g. {string.Join(", ", leaked.Take(5))}");
    }
}
