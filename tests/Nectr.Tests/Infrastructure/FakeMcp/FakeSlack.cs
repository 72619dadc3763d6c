using System.Security.Cryptography;

namespace Nectr.Tests.Infrastructure.FakeMcp;

/// <summary>
/// korotovsky/slack-mcp-server over Streamable HTTP: <c>conversations_search_messages</c> (the discussion search:
/// <c>search_query</c> and optional filters), <c>conversations_history</c> and <c>channels_list</c> (reads a reviewer
/// does not need), and <c>conversations_add_message</c>, which Nectr must never call. It answers with one message, as
/// the CSV the real server writes.
/// </summary>
public static class FakeSlack
{
    public const string MessageText = "Heads up: partial refunds on split payments were refunded twice last week; clamp them before calling the gateway.";

    public static string NewToken() => "xoxp-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(24));

    public static Task<FakeMcpServer> StartAsync(string? token = null) =>
        FakeMcpServer.StartAsync("Slack", token ?? NewToken(), "/mcp", Tools);

    private const string Messages = $"""
        MsgID,UserID,UserName,RealName,Channel,ThreadTs,Text,Time,Reactions,Cursor
        1746520800.000100,U024BE7LH,dana,Dana Scully,#payments,,"{MessageText}",2025-05-06T08:40:00Z,eyes:3,
        """;

    private const string ChannelProperty = """{"type":"string","description":"ID of the channel in format Cxxxxxxxxxx or its name starting with #... or @... aka #general or @username_dm."}""";

    private static FakeMcpTool[] Tools =>
    [
        new("conversations_search_messages", "Search messages in a public channel, private channel, or direct message (DM, or IM) conversation using filters. All filters are optional, if not provided then search_query is required.", """
            {"type":"object","properties":{
              "search_query":{"type":"string","description":"Search query to filter messages. Example: 'marketing report' or full URL of Slack message."},
              "filter_in_channel":{"type":"string","description":"Filter messages in a specific public/private channel by its ID or name."},
              "filter_in_im_or_mpim":{"type":"string","description":"Filter messages in a DM or MPIM conversation by its ID or name."},
              "filter_users_with":{"type":"string","description":"Filter messages with a specific user by their ID or display name in threads and DMs."},
              "filter_users_from":{"type":"string","description":"Filter messages from a specific user by their ID or display name."},
              "filter_date_before":{"type":"string","description":"Filter messages sent before a specific date in format 'YYYY-MM-DD'."},
              "filter_date_after":{"type":"string","description":"Filter messages sent after a specific date in format 'YYYY-MM-DD'."},
              "filter_date_on":{"type":"string","description":"Filter messages sent on a specific date in format 'YYYY-MM-DD'."},
              "filter_date_during":{"type":"string","description":"Filter messages sent during a specific period."},
              "filter_threads_only":{"type":"boolean","description":"If true, the response will include only messages from threads."},
              "cursor":{"type":"string","default":"","description":"Cursor for pagination."},
              "limit":{"type":"number","default":20,"description":"The maximum number of items to return. Must be an integer between 1 and 100."}}}
            """, _ => Messages),
        new("conversations_history", "Get messages from the channel (or DM) by channel_id", $$$"""
            {"type":"object","properties":{"channel_id":{{{ChannelProperty}}},"include_activity_messages":{"type":"boolean","default":false},"cursor":{"type":"string"},"limit":{"type":"string","default":"1d"}},"required":["channel_id"]}
            """, null),
        new("channels_list", "Get list of channels", """
            {"type":"object","properties":{"channel_types":{"type":"string"},"sort":{"type":"string"},"limit":{"type":"number","default":100},"cursor":{"type":"string"}},"required":["channel_types"]}
            """, null),
        new("conversations_add_message", "Add a message to a public channel, private channel, or direct message (DM, or IM) conversation by channel_id and thread_ts.", $$$"""
            {"type":"object","properties":{"channel_id":{{{ChannelProperty}}},"thread_ts":{"type":"string"},"text":{"type":"string"},"content_type":{"type":"string","default":"text/markdown"}},"required":["channel_id"]}
            """, null),
    ];
}
