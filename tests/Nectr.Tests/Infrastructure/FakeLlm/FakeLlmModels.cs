using System.Text.Json.Nodes;

namespace Nectr.Tests.Infrastructure;

/// <summary>One request a fake LLM received, as it arrived, with readers for what tests usually assert on.</summary>
public sealed record RecordedLlmRequest(string Method, string Path, IReadOnlyDictionary<string, string> Headers, string Body, DateTimeOffset At)
{
    public int Status { get; internal set; }

    public JsonObject Json => JsonNode.Parse(Body)?.AsObject() ?? [];

    public string? Model => (string?)Json["model"];

    /// <summary>The system prompt: Anthropic's <c>system</c> (string or text blocks) or OpenAI's system/developer messages.</summary>
    public string SystemText
    {
        get
        {
            var json = Json;
            if (json["system"] is { } system)
            {
                return TextOf(system);
            }

            return string.Join("\n", Messages(json).Where(m => (string?)m["role"] is "system" or "developer").Select(m => TextOf(m["content"])));
        }
    }

    /// <summary>Every user turn's text, in order.</summary>
    public IReadOnlyList<string> UserTexts => Messages(Json).Where(m => (string?)m["role"] == "user").Select(m => TextOf(m["content"])).ToList();

    public IReadOnlyList<string> Roles => Messages(Json).Select(m => (string?)m["role"] ?? "").ToList();

    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;

    /// <summary>The names of the tools offered: Anthropic's <c>tools[].name</c> or OpenAI's <c>tools[].function.name</c>.</summary>
    public IReadOnlyList<string> ToolNames => (Json["tools"]?.AsArray() ?? []).OfType<JsonObject>()
        .Select(t => (string?)t["name"] ?? (string?)t["function"]?["name"] ?? "").ToList();

    /// <summary>The tool choice as a word: <c>auto</c>, <c>none</c>, … (Anthropic <c>{type}</c>, OpenAI a string); null when not sent.</summary>
    public string? ToolChoice => Json["tool_choice"] switch
    {
        JsonObject choice => (string?)choice["type"],
        JsonValue value => (string?)value,
        _ => null,
    };

    /// <summary>
    /// Every tool result in the conversation, in order, as (call id, text): Anthropic's <c>tool_result</c> blocks in user
    /// turns, OpenAI's <c>tool</c> messages.
    /// </summary>
    public IReadOnlyList<(string CallId, string Text)> ToolResults => Messages(Json).SelectMany(m =>
        (string?)m["role"] == "tool"
            ? [((string?)m["tool_call_id"] ?? "", TextOf(m["content"]))]
            : (m["content"] as JsonArray ?? []).OfType<JsonObject>().Where(b => (string?)b["type"] == "tool_result")
                .Select(b => ((string?)b["tool_use_id"] ?? "", TextOf(b["content"])))).ToList();

    private static IEnumerable<JsonObject> Messages(JsonObject json) =>
        (json["messages"]?.AsArray() ?? []).OfType<JsonObject>();

    /// <summary>Content is a string or an array of blocks <c>{type:"text", text}</c> in both APIs.</summary>
    private static string TextOf(JsonNode? content) => content switch
    {
        JsonValue value => (string?)value ?? "",
        JsonArray blocks => string.Concat(blocks.OfType<JsonObject>().Select(b => (string?)b["text"] ?? "")),
        _ => "",
    };
}

/// <summary>What a fake LLM answers to the next request: an answer, a provider error, or silence until the caller gives up.</summary>
public abstract record FakeLlmResponse
{
    public static FakeLlmResponse Answer(string text, int? inputTokens = null, int? outputTokens = null, bool truncated = false) =>
        new AnswerResponse(text, inputTokens, outputTokens, truncated);

    /// <summary>An error with the provider's own JSON shape; <paramref name="code"/> is OpenAI's <c>error.code</c>.</summary>
    public static FakeLlmResponse Error(int status, string type, string message, string? code = null, IReadOnlyDictionary<string, string>? headers = null) =>
        new ErrorResponse(status, type, message, code, headers ?? new Dictionary<string, string>());

    /// <summary>The model calls tools instead of answering: each call is (name, arguments as a JSON object text).</summary>
    public static FakeLlmResponse ToolCalls(params (string Name, string ArgumentsJson)[] calls) => new ToolCallsResponse(calls, null, null);

    /// <summary>Accepts the request and never answers, until the client cancels or the fake stops.</summary>
    public static FakeLlmResponse Stall() => new StallResponse();

    internal sealed record AnswerResponse(string Text, int? InputTokens, int? OutputTokens, bool Truncated) : FakeLlmResponse;

    internal sealed record ErrorResponse(int Status, string Type, string Message, string? Code, IReadOnlyDictionary<string, string> Headers) : FakeLlmResponse;

    internal sealed record StallResponse : FakeLlmResponse;

    internal sealed record ToolCallsResponse(IReadOnlyList<(string Name, string ArgumentsJson)> Calls, int? InputTokens, int? OutputTokens) : FakeLlmResponse;
}
