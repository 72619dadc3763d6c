using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

public sealed class OAuthConfigurationTests
{
    private static StartupOptions Load(params (string Key, string Value)[] values) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    private static readonly (string, string)[] SafeProduction =
    [
        ("APP_ENV", "production"), ("BACKEND_URL", "https://nectr.example.com"), ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef0123"),
        ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true"),
    ];

    [Fact]
    public void Defaults_ask_for_repo_only_and_allow_everyone_outside_production()
    {
        var options = Load();

        Assert.Equal("repo", options.Auth.Scopes);
        Assert.False(options.Auth.OAuthConfigured);
        Assert.True(options.Auth.AllowsEveryone);
        Assert.False(options.KeyRing.ResetSecrets);
    }

    [Fact]
    public void Production_refuses_to_start_without_an_allow_list_and_says_what_to_set()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(SafeProduction));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("AUTH_ALLOWED_USERS", problem, StringComparison.Ordinal);
        Assert.Contains("AUTH_ALLOWED_ORGS", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AUTH_ALLOWED_USERS", "octocat")]
    [InlineData("AUTH_ALLOWED_ORGS", "acme")]
    public void Production_starts_with_either_allow_list(string key, string value)
    {
        var options = Load([.. SafeProduction, (key, value)]);

        Assert.False(options.Auth.AllowsEveryone);
    }

    [Fact]
    public void Allow_lists_are_comma_separated_and_case_insensitive()
    {
        var options = Load(("AUTH_ALLOWED_USERS", " OctoCat, @hubot ,"), ("AUTH_ALLOWED_ORGS", "Acme-Corp"));

        Assert.Contains("octocat", options.Auth.AllowedUsers);
        Assert.Contains("HUBOT", options.Auth.AllowedUsers);
        Assert.Equal(2, options.Auth.AllowedUsers.Count);
        Assert.Contains("acme-corp", options.Auth.AllowedOrgs);
    }

    [Fact]
    public void An_org_allow_list_adds_read_org_to_the_default_scopes()
    {
        Assert.Equal("repo read:org", Load(("AUTH_ALLOWED_ORGS", "acme")).Auth.Scopes);
    }

    [Fact]
    public void Explicit_scopes_that_cannot_read_org_membership_are_refused_with_the_fix()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("AUTH_ALLOWED_ORGS", "acme"), ("GITHUB_OAUTH_SCOPES", "public_repo")));

        Assert.Contains(error.Problems, p => p.Contains("GITHUB_OAUTH_SCOPES", StringComparison.Ordinal) && p.Contains("read:org", StringComparison.Ordinal));
    }

    [Fact]
    public void Explicit_scopes_are_sent_space_separated()
    {
        Assert.Equal("public_repo read:org", Load(("GITHUB_OAUTH_SCOPES", "public_repo, read:org")).Auth.Scopes);
    }

    [Fact]
    public void Half_configured_client_credentials_and_bad_logins_are_refused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("GITHUB_CLIENT_ID", "Ov23li123"), ("AUTH_ALLOWED_USERS", "octo cat")));

        Assert.Contains(error.Problems, p => p.StartsWith("GITHUB_CLIENT_SECRET is missing", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("AUTH_ALLOWED_USERS entry 'octo cat'", StringComparison.Ordinal));
    }
}
