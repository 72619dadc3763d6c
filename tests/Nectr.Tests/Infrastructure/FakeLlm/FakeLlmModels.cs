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

    /// <summary>Accepts the request and never answers, until the client cancels or the fake stops.</summary>
    public static FakeLlmResponse Stall() => new StallResponse();

    internal sealed record AnswerResponse(string Text, int? InputTokens, int? OutputTokens, bool Truncated) : FakeLlmResponse;

    internal sealed record ErrorResponse(int Status, string Type, string Message, string? Code, IReadOnlyDictionary<string, string> Headers) : FakeLlmResponse;

    internal sealed record StallResponse : FakeLlmResponse;
}
