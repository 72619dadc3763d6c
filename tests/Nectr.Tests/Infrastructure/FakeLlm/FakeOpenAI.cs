using System.Text.Json.Nodes;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// OpenAI's Chat Completions API (<c>POST /v1/chat/completions</c>) on loopback, with the real response and
/// error shapes (https://platform.openai.com/docs/api-reference/chat/object). Configure Nectr with
/// <c>OPENAI_BASE_URL</c> = <see cref="FakeLlmServer.BaseUrl"/> (it ends in <c>/v1/</c>) and <c>OPENAI_API_KEY</c>.
/// </summary>
public sealed class FakeOpenAI : FakeLlmServer
{
    private int _next;

    private FakeOpenAI(string apiKey)
        : base(apiKey)
    {
    }

    protected override string Route => "/v1/chat/completions";

    public static async Task<FakeOpenAI> StartAsync(string apiKey = "sk-proj-fake-key-for-tests")
    {
        var fake = new FakeOpenAI(apiKey);
        await fake.ListenAsync("/v1/");
        return fake;
    }

    protected override bool Authorized(RecordedLlmRequest request) => request.Header("Authorization") == $"Bearer {ApiKey}";

    protected override JsonObject AnswerJson(RecordedLlmRequest request, string text, int inputTokens, int outputTokens, bool truncated) => new()
    {
        ["id"] = $"chatcmpl-Fake{Interlocked.Increment(ref _next):D6}",
        ["object"] = "chat.completion",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = request.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text, ["refusal"] = null, ["annotations"] = new JsonArray() },
            ["logprobs"] = null,
            ["finish_reason"] = truncated ? "length" : "stop",
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = inputTokens,
            ["completion_tokens"] = outputTokens,
            ["total_tokens"] = inputTokens + outputTokens,
            ["prompt_tokens_details"] = new JsonObject { ["cached_tokens"] = 0, ["audio_tokens"] = 0 },
            ["completion_tokens_details"] = new JsonObject { ["reasoning_tokens"] = 0, ["audio_tokens"] = 0, ["accepted_prediction_tokens"] = 0, ["rejected_prediction_tokens"] = 0 },
        },
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_fake",
    };

    protected override JsonObject ToolCallsJson(RecordedLlmRequest request, IReadOnlyList<(string Name, string ArgumentsJson)> calls, int inputTokens, int outputTokens) => new()
    {
        ["id"] = $"chatcmpl-Fake{Interlocked.Increment(ref _next):D6}",
        ["object"] = "chat.completion",
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["model"] = request.Model,
        ["choices"] = new JsonArray(new JsonObject
        {
            ["index"] = 0,
            ["message"] = new JsonObject
            {
                ["role"] = "assistant",
                ["content"] = null,
                ["refusal"] = null,
                ["annotations"] = new JsonArray(),
                // OpenAI sends the arguments as a JSON text, not an object.
                ["tool_calls"] = new JsonArray([.. calls.Select(c => (JsonNode)new JsonObject
                {
                    ["id"] = $"call_Fake{Interlocked.Increment(ref _next):D6}",
                    ["type"] = "function",
                    ["function"] = new JsonObject { ["name"] = c.Name, ["arguments"] = c.ArgumentsJson },
                })]),
            },
            ["logprobs"] = null,
            ["finish_reason"] = "tool_calls",
        }),
        ["usage"] = new JsonObject
        {
            ["prompt_tokens"] = inputTokens,
            ["completion_tokens"] = outputTokens,
            ["total_tokens"] = inputTokens + outputTokens,
        },
        ["service_tier"] = "default",
        ["system_fingerprint"] = "fp_fake",
    };

    protected override JsonObject ErrorJson(string type, string message, string? code) => new()
    {
        ["error"] = new JsonObject { ["message"] = message, ["type"] = type, ["param"] = null, ["code"] = code },
    };
}
