using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

/// <summary>APP_ENV: known spellings, unknown values refused, the host environment derived from it, production's webhook secret length.</summary>
public sealed class EnvironmentConfigurationTests
{
    private static StartupOptions Load(params (string Key, string Value)[] values) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    private static readonly (string, string)[] SafeProduction =
    [
        ("BACKEND_URL", "https://nectr.example.com"), ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef0123"),
        ("AUTH_ALLOWED_USERS", "octocat"), ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true"),
    ];

    [Theory]
    [InlineData("production", "production", "Production")]
    [InlineData("prod", "production", "Production")]
    [InlineData("PROD", "production", "Production")]
    [InlineData("development", "development", "Development")]
    [InlineData("dev", "development", "Development")]
    [InlineData("test", "test", "Test")]
    public void Known_spellings_are_normalised_and_set_the_host_environment(string appEnv, string normalised, string host)
    {
        var options = Load([("APP_ENV", appEnv), .. SafeProduction]);

        Assert.Equal(normalised, options.Hosting.AppEnv);
        Assert.Equal(host, options.Hosting.HostEnvironment);
    }

    [Fact]
    public void Prod_is_production_and_refuses_what_production_refuses()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("APP_ENV", "prod")));

        Assert.Contains(error.Problems, p => p.StartsWith("APP_ENV=production needs GITHUB_WEBHOOK_SECRET", StringComparison.Ordinal));
        Assert.Contains(error.Problems, p => p.StartsWith("APP_ENV=production needs BACKEND_URL", StringComparison.Ordinal));
    }

    [Fact]
    public void An_unknown_app_env_is_refused_with_the_accepted_values()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("APP_ENV", "staging")));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("APP_ENV 'staging' is not an environment Nectr knows", problem, StringComparison.Ordinal);
        Assert.Contains("production (or prod), development (or dev), or test", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ASPNETCORE_ENVIRONMENT")]
    [InlineData("DOTNET_ENVIRONMENT")]
    public void A_host_environment_that_contradicts_app_env_is_refused_naming_both(string key)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load([("APP_ENV", "production"), (key, "Development"), .. SafeProduction]));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"{key}=Development contradicts APP_ENV=production", problem, StringComparison.Ordinal);
        Assert.Contains($"Unset {key}", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Aspnetcore_production_without_app_env_is_refused_rather_than_run_as_development()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("ASPNETCORE_ENVIRONMENT", "Production")));

        Assert.Contains("contradicts APP_ENV=development (the default)", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_host_environment_that_agrees_is_accepted()
    {
        var options = Load([("APP_ENV", "prod"), ("ASPNETCORE_ENVIRONMENT", "Production"), .. SafeProduction]);

        Assert.True(options.Hosting.IsProduction);
    }

    [Fact]
    public void Production_refuses_a_19_character_webhook_secret_and_says_how_to_make_one()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() =>
            Load([("APP_ENV", "production"), .. SafeProduction.Where(s => s.Item1 != "GITHUB_WEBHOOK_SECRET"), ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef012")]));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("GITHUB_WEBHOOK_SECRET to be at least 20 characters", problem, StringComparison.Ordinal);
        Assert.Contains("openssl rand -hex 32", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("0123456789abcdef012", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_short_webhook_secret_is_accepted_outside_production()
    {
        var options = Load(("GITHUB_WEBHOOK_SECRET", "x"));

        Assert.Equal("x", options.Webhooks.Secret);
    }
}
