using System.Security.Cryptography;

namespace Nectr.Tests.Infrastructure.FakeMcp;

/// <summary>
/// Linear's hosted MCP server (https://mcp.linear.app/mcp) as far as a reviewer meets it: <c>list_issues</c> (the
/// tracker search: its <c>query</c> searches titles and descriptions) and <c>get_issue</c>, with the hosted server's
/// argument names, next to write tools Nectr must never call. It answers with one task, as JSON like the hosted server's.
/// </summary>
public static class FakeLinear
{
    public const string TaskIdentifier = "PAY-142";
    public const string TaskTitle = "Refunds must never exceed the captured amount";
    public const string TaskDescription = "Finance found refunds larger than the original charge. Clamp every refund to the captured amount and log the difference.";

    public static string NewToken() => "lin_api_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(20));

    public static Task<FakeMcpServer> StartAsync(string? token = null) =>
        FakeMcpServer.StartAsync("Linear", token ?? NewToken(), "/mcp", Tools);

    private static string Task => $$"""
        [{"id":"6d1e2c3a-0b4f-4a7e-9c61-2f8e5b7d9a10","identifier":"{{TaskIdentifier}}","title":"{{TaskTitle}}","description":"{{TaskDescription}}","priority":{"value":2,"name":"High"},"url":"https://linear.app/octo/issue/pay-142/refunds-must-never-exceed-the-captured-amount","createdAt":"2025-05-02T09:14:00.000Z","updatedAt":"2025-05-06T16:40:00.000Z","status":"In Progress","labels":["bug","payments"],"assignee":"Dana Scully","team":"Payments","project":"Refund safety"}]
        """;

    private static FakeMcpTool[] Tools =>
    [
        new("list_issues", "List issues in the user's Linear workspace. Use query to search titles and descriptions.", """
            {"type":"object","properties":{
              "limit":{"type":"number","maximum":250,"default":50,"description":"The number of items to return"},
              "cursor":{"type":"string","description":"An ID to begin from, for pagination"},
              "orderBy":{"type":"string","enum":["createdAt","updatedAt"],"default":"updatedAt","description":"Sort order"},
              "query":{"type":"string","description":"Search issue title or description"},
              "team":{"type":"string","description":"Team name or ID"},
              "state":{"type":"string","description":"State type, name, or ID"},
              "cycle":{"type":"string","description":"Cycle name, number, or ID"},
              "label":{"type":"string","description":"Label name or ID"},
              "assignee":{"type":"string","description":"User ID, name, email, or \"me\""},
              "project":{"type":"string","description":"Project name, ID, or slug"},
              "parentId":{"type":"string","description":"Parent issue ID"},
              "includeArchived":{"type":"boolean","default":true,"description":"Include archived items"},
              "createdAt":{"type":"string","description":"Created after: ISO-8601 date or duration (e.g. -P1D)"},
              "updatedAt":{"type":"string","description":"Updated after: ISO-8601 date or duration (e.g. -P1D)"}},
             "additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
            """, _ => Task),
        new("get_issue", "Retrieve detailed information about an issue by ID, including attachments and git branch name", """
            {"type":"object","properties":{"id":{"type":"string","description":"The issue ID"},"includeRelations":{"type":"boolean","default":false,"description":"Whether to include blocking, related, and duplicate relations"}},"required":["id"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
            """, _ => Task.Trim()[1..^1]),
        new("create_issue", "Create a new Linear issue", """
            {"type":"object","properties":{"title":{"type":"string"},"team":{"type":"string"},"description":{"type":"string"}},"required":["title","team"],"additionalProperties":false}
            """, null),
        new("create_comment", "Create a comment on a specific Linear issue", """
            {"type":"object","properties":{"issueId":{"type":"string"},"body":{"type":"string"}},"required":["issueId","body"],"additionalProperties":false}
            """, null),
    ];
}
