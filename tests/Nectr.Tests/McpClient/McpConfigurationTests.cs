using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.McpClient;
using static Nectr.Tests.McpClient.McpTestKit;

namespace Nectr.Tests.McpClient;

/// <summary>MCP settings: the three services' variables and MCP_SERVERS_FILE, read as start-up reads them, each mistake with its fix.</summary>
public sealed class McpConfigurationTests
{
    [Fact]
    public void The_servers_file_and_the_variables_give_every_server_with_its_token_and_roles()
    {
        var file = ServersFile(
            new { name = "Sentry EU", url = "https://sentry-eu.example.com/mcp", token_env = "SENTRY_EU_TOKEN", roles = new Dictionary<string, string> { ["search_issues"] = "errors" } },
            new { name = "local tracker", command = "/usr/bin/tracker-mcp", args = new[] { "--stdio" } });
        var options = Load(("LINEAR_MCP_URL", "https://mcp.linear.app/mcp"), ("LINEAR_API_KEY", "lin_api_1"), ("MCP_SERVERS_FILE", file), ("SENTRY_EU_TOKEN", "sntrys_eu"));

        Assert.Collection(
            options.Servers,
            linear =>
            {
                Assert.Equal(("Linear", McpServerKind.Linear, "https://mcp.linear.app/mcp", "lin_api_1"), (linear.Name, linear.Kind, linear.Url!.ToString(), linear.Token));
            },
            sentry =>
            {
                Assert.Equal(("Sentry EU", McpServerKind.Sentry, "sntrys_eu"), (sentry.Name, sentry.Kind, sentry.Token));
                Assert.Equal(McpRole.Errors, sentry.Roles["search_issues"]);
                Assert.DoesNotContain("sntrys_eu", sentry.ToString(), StringComparison.Ordinal);
            },
            local =>
            {
                Assert.Equal(("local tracker", "/usr/bin/tracker-mcp --stdio", null), (local.Name, local.Endpoint, local.Token));
            });
        Assert.Equal((false, TimeSpan.FromSeconds(10), 16_384, 6), (options.AllowPrivate, options.CallTimeout, options.ResultBytes, options.CallsPerReview));
    }

    [Fact]
    public void No_setting_means_no_server() => Assert.Empty(Load().Servers);

    [Fact]
    public void Each_mistake_in_the_servers_file_is_reported_with_its_fix()
    {
        var file = ServersFile(
            new { url = "https://a.example.com/mcp" },
            new { name = "both", url = "https://b.example.com/mcp", command = "b" },
            new { name = "neither" },
            new { name = "unset", url = "https://c.example.com/mcp", token_env = "NOT_SET_ANYWHERE" },
            new { name = "plain", url = "http://d.example.com/mcp", token = "t" },
            new { name = "relative", url = "/mcp" },
            new { name = "stdio-token", command = "e", token = "t" },
            new { name = "roles", url = "https://f.example.com/mcp", roles = new Dictionary<string, string> { ["x"] = "chat" } },
            new { name = "Twice", url = "https://g.example.com/mcp" },
            new { name = "twice", url = "https://h.example.com/mcp" });
        var where = $"MCP_SERVERS_FILE '{file}', server";

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("MCP_SERVERS_FILE", file)));

        Assert.Equal(
            [
                $"{where} 1 needs a \"name\".",
                $"{where} 2 ('both') needs either a \"url\" (HTTP) or a \"command\" with \"args\" (stdio), not both or neither.",
                $"{where} 3 ('neither') needs either a \"url\" (HTTP) or a \"command\" with \"args\" (stdio), not both or neither.",
                $"{where} 4 ('unset') reads its token from NOT_SET_ANYWHERE, which is not set: set NOT_SET_ANYWHERE or remove \"token_env\".",
                $"{where} 5 ('plain') must use an https URL: its token would be sent in clear text (http is allowed only with MCP_ALLOW_PRIVATE=true).",
                $"{where} 6 ('relative') has a \"url\" that is not an absolute http(s) URL without credentials.",
                $"{where} 7 ('stdio-token') runs a command, which takes no token: a token is sent as an HTTP bearer token, so give the command its credentials in its own environment.",
                $"{where} 8 ('roles') gives tool 'x' an unknown role: use tracker, errors or discussion.",
                $"MCP server name 'Twice' is used twice: give each server in {file} its own name.",
            ],
            error.Problems);
    }

    [Fact]
    public void A_servers_file_that_is_not_JSON_says_what_it_must_hold()
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("nectr-mcp-").FullName, "mcp.json");
        File.WriteAllText(path, "{\n  servers: oops\n}");

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("MCP_SERVERS_FILE", path)));

        Assert.Equal($"MCP_SERVERS_FILE '{path}' is not valid JSON (line 2): it must be {{\"servers\": [{{\"name\": …, \"url\": …}}]}}.", Assert.Single(error.Problems));

        File.WriteAllText(path, "[]");
        error = Assert.Throws<InvalidConfigurationException>(() => Load(("MCP_SERVERS_FILE", path)));
        Assert.Equal($"MCP_SERVERS_FILE '{path}' must hold an object with a \"servers\" array.", Assert.Single(error.Problems));
    }

    private static McpOptions Load(params (string Key, string Value)[] settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();
        NectrConfiguration.Load(configuration);
        using var provider = new ServiceCollection().AddNectrOptions(configuration).BuildServiceProvider();
        return provider.GetRequiredService<IOptions<McpOptions>>().Value;
    }
}
