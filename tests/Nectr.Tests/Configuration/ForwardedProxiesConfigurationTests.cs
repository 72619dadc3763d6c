using System.Net;
using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

public sealed class ForwardedProxiesConfigurationTests
{
    private static StartupOptions Load(string? value) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection([new KeyValuePair<string, string?>("FORWARDED_ALLOW_IPS", value)])
            .Build());

    [Fact]
    public void By_default_only_a_proxy_on_this_machine_is_trusted()
    {
        var proxies = Load(null).Hosting.ForwardedProxies;

        Assert.False(proxies.TrustsEveryone);
        Assert.Equal([IPAddress.Loopback, IPAddress.IPv6Loopback], proxies.Addresses);
        Assert.Empty(proxies.Networks);
    }

    [Fact]
    public void Addresses_and_networks_are_read_from_a_comma_separated_list()
    {
        var proxies = Load(" 10.0.0.5, 172.16.0.0/12 ,fd00::/8, 2001:db8::1 ").Hosting.ForwardedProxies;

        Assert.Equal([IPAddress.Parse("10.0.0.5"), IPAddress.Parse("2001:db8::1")], proxies.Addresses);
        Assert.Equal([IPNetwork.Parse("172.16.0.0/12"), IPNetwork.Parse("fd00::/8")], proxies.Networks);
    }

    [Fact]
    public void A_star_trusts_every_peer()
    {
        Assert.True(Load("*").Hosting.ForwardedProxies.TrustsEveryone);
    }

    [Theory]
    [InlineData("nectr-proxy.internal", "is not an IP address")]
    [InlineData("10", "is not an IP address")]
    [InlineData("10.0.0.5/8", "host bits zero")]
    [InlineData("10.0.0.0/33", "host bits zero")]
    [InlineData("*, 10.0.0.1", "cannot be combined")]
    [InlineData(",", "lists no address")]
    public void A_bad_value_stops_start_up_with_a_message_that_names_the_variable_and_the_fix(string value, string why)
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(value));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("FORWARDED_ALLOW_IPS", problem, StringComparison.Ordinal);
        Assert.Contains(why, problem, StringComparison.Ordinal);
        Assert.Contains("e.g. FORWARDED_ALLOW_IPS=", problem, StringComparison.Ordinal);
    }
}
