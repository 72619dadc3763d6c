using System.Security.Cryptography;

namespace Nectr.Tests.Infrastructure.FakeMcp;

/// <summary>
/// Sentry's MCP server (getsentry/sentry-mcp) scoped to one organisation and project by its URL
/// (<c>/mcp/{organizationSlug}/{projectSlug}</c>), so its tools take no organisation or project argument:
/// <c>search_issues</c> (Sentry search syntax in <c>query</c>, or <c>naturalLanguageQuery</c>), <c>search_events</c>,
/// <c>get_issue_details</c>, and <c>update_issue</c>, which Nectr must never call. It answers with one error whose
/// stack frame is in <see cref="TouchedFile"/>, in the Markdown the real server writes.
/// </summary>
public static class FakeSentry
{
    public const string TouchedFile = "src/refunds.py";
    public const string ErrorId = "PAYMENTS-3F";
    public const string ErrorTitle = "ValueError: refund amount 120.00 exceeds captured charge 100.00";

    /// <summary>The two tools that find errors (either may fill the errors role).</summary>
    public static readonly string[] SearchTools = ["search_issues", "search_events"];

    public static string NewToken() => "sntryu_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public static Task<FakeMcpServer> StartAsync(string? token = null) =>
        FakeMcpServer.StartAsync("Sentry", token ?? NewToken(), "/mcp/octo-org/payments", Tools);

    private const string Issues = $"""
        # Issues in **octo-org/payments**

        ## 1. [{ErrorId}](https://octo-org.sentry.io/issues/{ErrorId})

        **{ErrorTitle}**

        - **Status**: unresolved
        - **Level**: error
        - **Users**: 37
        - **Events**: 214
        - **First seen**: 2025-05-01T08:12:44Z
        - **Last seen**: 2025-05-06T17:03:10Z
        - **Culprit**: `refunds in refund`

        **Most relevant frame**
        ```
        File "{TouchedFile}", line 12, in refund
            gateway.refund(order.id, amount)
        ```

        # Using this information

        - Use get_issue_details with issueId='{ErrorId}' to see the full stack trace.
        """;

    private static FakeMcpTool[] Tools =>
    [
        new("search_issues", "Search for grouped issues/problems in Sentry - returns a LIST of issues, NOT counts or aggregations.\n\nProvide `naturalLanguageQuery` to let an embedded agent determine the correct query and sort params, or use `query` and `sort` directly with Sentry search syntax.", """
            {"type":"object","properties":{
              "naturalLanguageQuery":{"type":"string","minLength":1,"description":"Natural language description of issues to search for."},
              "query":{"type":"string","default":"is:unresolved","description":"Sentry issue search query syntax. Used when naturalLanguageQuery is not provided."},
              "sort":{"type":"string","enum":["date","freq","new","user"],"default":"date","description":"Sort order"},
              "limit":{"type":"number","minimum":1,"maximum":100,"default":10,"description":"Maximum number of issues to return (1-100)"},
              "includeExplanation":{"type":"boolean","default":false,"description":"Include explanation of how the query was translated"}},
             "additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
            """, _ => Issues),
        new("search_events", "Search for error and log events, and aggregate them, with natural language.", """
            {"type":"object","properties":{
              "naturalLanguageQuery":{"type":"string","minLength":1,"description":"Natural language description of what you want to search for"},
              "limit":{"type":"number","minimum":1,"maximum":100,"default":10},
              "includeExplanation":{"type":"boolean","default":false}},
             "required":["naturalLanguageQuery"],"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
            """, _ => Issues),
        new("get_issue_details", "Get detailed information about a specific Sentry issue by ID.", """
            {"type":"object","properties":{"issueId":{"type":"string"},"issueUrl":{"type":"string"},"eventId":{"type":"string"}},"additionalProperties":false,"$schema":"http://json-schema.org/draft-07/schema#"}
            """, _ => Issues),
        new("update_issue", "Update an issue's status or assignment in Sentry.", """
            {"type":"object","properties":{"issueId":{"type":"string"},"status":{"type":"string","enum":["resolved","resolvedInNextRelease","unresolved","ignored"]},"assignedTo":{"type":"string"}},"additionalProperties":false}
            """, null),
    ];
}
