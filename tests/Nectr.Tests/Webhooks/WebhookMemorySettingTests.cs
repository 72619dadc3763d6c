using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Webhooks;

/// <summary>WEBHOOK_MAX_INFLIGHT_MB is checked at start-up like every other setting, with the fix in the message.</summary>
public sealed class WebhookMemorySettingTests
{
    private static StartupOptions Load(string? value) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { ["WEBHOOK_MAX_INFLIGHT_MB"] = value })
            .Build());

    [Theory]
    [InlineData("10")]
    [InlineData("lots")]
    [InlineData("-1")]
    public void A_cap_below_one_largest_delivery_or_not_a_number_stops_start_up_naming_the_variable(string value)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(value));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"WEBHOOK_MAX_INFLIGHT_MB '{value}' must be a whole number from 25", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void The_cap_defaults_to_128_MB_and_is_read_in_megabytes()
    {
        Assert.Equal(128L * 1024 * 1024, Load(null).Webhooks.MaxInflightBytes);
        Assert.Equal(512L * 1024 * 1024, Load("512").Webhooks.MaxInflightBytes);
    }
}
