using System.Text.Json;
using Nectr.Configuration;
using Nectr.McpClient;

namespace Nectr.Tests.McpClient;

/// <summary>Which tool serves which role, and how its arguments are filled from the pull request, by name, server kind and schema.</summary>
public sealed class McpRolesTests
{
    private const string QuerySchema = """{"type":"object","properties":{"query":{"type":"string"},"limit":{"type":"integer"}},"required":["query"]}""";
    private const string SentrySchema = """{"type":"object","properties":{"organizationSlug":{"type":"string"},"naturalLanguageQuery":{"type":"string"}},"required":["organizationSlug","naturalLanguageQuery"]}""";
    private const string SentryOptionalSchema = """{"type":"object","properties":{"organizationSlug":{"type":"string"},"naturalLanguageQuery":{"type":"string"}},"required":["naturalLanguageQuery"]}""";
    private const string FileSchema = """{"type":"object","properties":{"filename":{"type":"string"}},"required":["filename"]}""";

    [Theory]
    [InlineData("Linear", "Linear", "list_issues", QuerySchema, "Tracker")]
    [InlineData("Linear", "Linear", "search_issues", QuerySchema, "Tracker")]
    [InlineData("github", "GitHub", "search_issues", QuerySchema, "Tracker")]
    [InlineData("Sentry", "Sentry", "search_issues", SentryOptionalSchema, "Errors")]
    [InlineData("Sentry", "Sentry", "search_issues", QuerySchema, "Errors")]
    [InlineData("errors", "Other", "search_issues", SentryOptionalSchema, "Errors")]
    [InlineData("tracker", "Other", "search_issues", QuerySchema, "Tracker")]
    [InlineData("Sentry", "Sentry", "search_errors", QuerySchema, "Errors")]
    [InlineData("Sentry", "Sentry", "find_errors_in_file", FileSchema, "Errors")]
    [InlineData("Slack", "Slack", "conversations_search_messages", QuerySchema, "Discussion")]
    [InlineData("Slack", "Slack", "search_messages", QuerySchema, "Discussion")]
    [InlineData("Sentry", "Sentry", "list_issues", QuerySchema, null)]
    [InlineData("Slack", "Slack", "search_issues", QuerySchema, null)]
    [InlineData("Linear", "Linear", "create_issue", QuerySchema, null)]
    [InlineData("Sentry", "Sentry", "search_issues", SentrySchema, null)] // organizationSlug is required and unknown
    public void A_tool_gets_its_role_by_name_server_kind_and_schema(string name, string kind, string tool, string schema, string? role)
    {
        var server = new McpServerSettings(name, Enum.Parse<McpServerKind>(kind), new Uri("https://mcp.example.com/mcp"), null, [], null, new Dictionary<string, McpRole>());
        Assert.Equal(role, McpRoles.Plan(server, tool, JsonDocument.Parse(schema).RootElement)?.Role.ToString());
    }

    [Fact]
    public void An_override_gives_any_tool_a_role_and_fills_its_one_string_argument()
    {
        var server = new McpServerSettings("x", McpServerKind.Other, null, "x", [], null, new Dictionary<string, McpRole> { ["echo"] = McpRole.Discussion, ["search_issues"] = McpRole.Tracker });
        var echo = McpRoles.Plan(server, "echo", JsonDocument.Parse("""{"type":"object","properties":{"message":{"type":"string"}},"required":["message"]}""").RootElement);
        Assert.Equal(new McpToolPlan("echo", McpRole.Discussion, "message", null, null), echo);
        Assert.Equal(McpRole.Tracker, McpRoles.Plan(server, "search_issues", JsonDocument.Parse(SentryOptionalSchema).RootElement)?.Role);
    }

    [Fact]
    public void Arguments_come_from_the_pull_request_by_the_schema()
    {
        var subject = McpTestKit.Subject("Fix login (ABC-12, OPS-7)", "docs/login.md", "tests/LoginTests.cs", "src/Auth/Login.cs");
        Assert.Equal(["ABC-12", "OPS-7"], McpRoles.TaskIds(subject));
        Assert.Equal("ABC-12 OPS-7", McpRoles.SubjectQuery(subject));
        Assert.Equal("Fix the login page", McpRoles.SubjectQuery(McpTestKit.Subject("Fix the login page")));
        Assert.Equal("src/Auth/Login.cs", McpRoles.ErrorPath(subject));

        var server = new McpServerSettings("Linear", McpServerKind.Linear, new Uri("https://mcp.linear.app/mcp"), null, [], null, new Dictionary<string, McpRole>());
        var plan = McpRoles.Plan(server, "list_issues", JsonDocument.Parse(QuerySchema).RootElement)!;
        Assert.Equal(new Dictionary<string, object?> { ["query"] = "ABC-12 OPS-7", ["limit"] = McpToolPlan.Limit }, plan.Arguments("ABC-12 OPS-7", null));

        var sentry = server with { Name = "Sentry", Kind = McpServerKind.Sentry };
        var file = McpRoles.Plan(sentry, "find_errors_in_file", JsonDocument.Parse(FileSchema).RootElement)!;
        Assert.Equal(new Dictionary<string, object?> { ["filename"] = "src/Auth/Login.cs" }, file.Arguments(null, "src/Auth/Login.cs"));
    }
}
