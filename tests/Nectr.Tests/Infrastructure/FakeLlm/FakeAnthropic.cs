using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// Anthropic's Messages API (<c>POST /v1/messages</c>) on loopback, with the real response and error shapes
/// (https://docs.anthropic.com/en/api/messages, https://docs.anthropic.com/en/api/errors). Configure Nectr with
/// <c>ANTHROPIC_BASE_URL</c> = <see cref="FakeLlmServer.BaseUrl"/> and <c>ANTHROPIC_API_KEY</c> = <see cref="FakeLlmServer.ApiKey"/>.
/// </summary>
public sealed class FakeAnthropic : FakeLlmServer
{
    private int _next;

    private FakeAnthropic(string apiKey)
        : base(apiKey)
    {
    }

    protected override string Route => "/v1/messages";

    public static async Task<FakeAnthropic> StartAsync(string apiKey = "sk-ant-api03-fake-key-for-tests")
    {
        var fake = new FakeAnthropic(apiKey);
        await fake.ListenAsync("/");
        return fake;
    }

    /// <summary>
    /// The API takes the key as <c>x-api-key</c> or, as the official SDK sends it since v13, <c>Authorization: Bearer</c>;
    /// <c>anthropic-version</c> is required either way.
    /// </summary>
    protected override bool Authorized(RecordedLlmRequest request) =>
        (request.Header("x-api-key") == ApiKey || request.Header("Authorization") == $"Bearer {ApiKey}")
        && !string.IsNullOrEmpty(request.Header("anthropic-version"));

    /// <summary>The key as the request carried it, in whichever header.</summary>
    public static string? KeyOf(RecordedLlmRequest request) =>
        request.Header("x-api-key") ?? request.Header("Authorization")?.Replace("Bearer ", "", StringComparison.Ordinal);

    protected override JsonObject AnswerJson(RecordedLlmRequest request, string text, int inputTokens, int outputTokens, bool truncated) => new()
    {
        ["id"] = $"msg_01Fake{Interlocked.Increment(ref _next):D6}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = request.Model,
        ["content"] = new JsonArray(new JsonObject { ["type"] = "text", ["text"] = text }),
        ["stop_reason"] = truncated ? "max_tokens" : "end_turn",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = inputTokens,
            ["output_tokens"] = outputTokens,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = 0,
            ["service_tier"] = "standard",
        },
    };

    protected override JsonObject ToolCallsJson(RecordedLlmRequest request, IReadOnlyList<(string Name, string ArgumentsJson)> calls, int inputTokens, int outputTokens) => new()
    {
        ["id"] = $"msg_01Fake{Interlocked.Increment(ref _next):D6}",
        ["type"] = "message",
        ["role"] = "assistant",
        ["model"] = request.Model,
        ["content"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
        {
            ["type"] = "tool_use",
            ["id"] = $"toolu_01Fake{Interlocked.Increment(ref _next):D6}",
            ["name"] = c.Name,
            ["input"] = JsonNode.Parse(c.ArgumentsJson),
        })]),
        ["stop_reason"] = "tool_use",
        ["stop_sequence"] = null,
        ["usage"] = new JsonObject
        {
            ["input_tokens"] = inputTokens,
            ["output_tokens"] = outputTokens,
            ["cache_creation_input_tokens"] = 0,
            ["cache_read_input_tokens"] = 0,
            ["service_tier"] = "standard",
        },
    };

    protected override JsonObject ErrorJson(string type, string message, string? code) => new()
    {
        ["type"] = "error",
        ["error"] = new JsonObject { ["type"] = type, ["message"] = message },
        ["request_id"] = $"req_01Fake{Interlocked.Increment(ref _next):D6}",
    };

    protected override void WriteAnswerHeaders(HttpResponse response) =>
        response.Headers["request-id"] = $"req_01Fake{Interlocked.Increment(ref _next):D6}";
}
