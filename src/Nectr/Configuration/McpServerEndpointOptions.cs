namespace Nectr.Configuration;

/// <summary>Nectr's own MCP server (<c>/mcp</c>): how many requests one API token may make per minute.</summary>
internal sealed class McpServerEndpointOptions
{
    // Generous for an agent (a tools/call is one request), small enough that a leaked token cannot hammer the database.
    internal static readonly IntSetting RateLimitSetting = new("MCP_RATE_LIMIT_PER_MINUTE", 120, 1, 100_000);

    [ConfigurationKeyName("MCP_RATE_LIMIT_PER_MINUTE")] public string? RateLimitText { get; set; }

    /// <summary>Requests per token per minute (a fixed one-minute window); past it, 429 with Retry-After.</summary>
    public int RateLimitPerMinute => RateLimitSetting.Read(RateLimitText);
}

internal sealed class McpServerEndpointOptionsValidator : OptionsValidator<McpServerEndpointOptions>
{
    protected override void Check(McpServerEndpointOptions options, List<string> errors) =>
        McpServerEndpointOptions.RateLimitSetting.Check(options.RateLimitText, errors);
}
