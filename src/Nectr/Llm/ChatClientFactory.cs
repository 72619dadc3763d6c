using System.ClientModel;
using System.ClientModel.Primitives;
using Anthropic;
using Microsoft.Extensions.AI;
using Nectr.Configuration;
using OpenAI;

namespace Nectr.Llm;

/// <summary>
/// The provider's own <see cref="IChatClient"/>, built from the official SDK with the SDK's retries off: the
/// HttpClient's pipeline (<see cref="LlmResilience"/>) owns retries, so a refusal is never retried twice over, nor blindly.
/// </summary>
internal static class ChatClientFactory
{
    /// <summary>A backstop only: <see cref="LlmResilience"/> cancels each attempt at LLM_TIMEOUT_SECONDS.</summary>
    private static readonly TimeSpan SdkTimeoutMargin = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The SDK's own timeout spans one send through the HttpClient, which now includes every retry and wait
    /// underneath: it must outlast them all, or it would cut a patient retry short.
    /// </summary>
    internal static TimeSpan SdkTimeout(LlmOptions options) =>
        (options.Timeout * options.MaxAttempts) + ((options.RetryMax + TimeSpan.FromSeconds(1)) * (options.MaxAttempts - 1)) + SdkTimeoutMargin;

    /// <summary>Set explicitly so an ANTHROPIC_BASE_URL the SDK might read behind our back never differs from ours.</summary>
    private const string AnthropicDefaultBaseUrl = "https://api.anthropic.com";

    public static IChatClient Create(LlmOptions options, HttpClient http) => options.Provider switch
    {
        LlmProvider.Anthropic => Anthropic(options, http),
        LlmProvider.OpenAI => OpenAI(options, http),
        _ => throw new InvalidOperationException("LLM_PROVIDER=none has no chat client."),
    };

    private static IChatClient Anthropic(LlmOptions options, HttpClient http)
    {
        var client = new AnthropicClient
        {
            ApiKey = options.AnthropicApiKey,
            BaseUrl = options.AnthropicBaseUrl?.ToString().TrimEnd('/') ?? AnthropicDefaultBaseUrl,
            MaxRetries = 0,
            Timeout = SdkTimeout(options),
            HttpClient = http,
        };
        return client.AsIChatClient(options.AnthropicModel, options.OutputTokens);
    }

    private static IChatClient OpenAI(LlmOptions options, HttpClient http)
    {
        var clientOptions = new OpenAIClientOptions
        {
            RetryPolicy = new ClientRetryPolicy(maxRetries: 0),
            NetworkTimeout = SdkTimeout(options),
            Transport = new HttpClientPipelineTransport(http),
        };
        if (options.OpenAIBaseUrl is { } baseUrl)
        {
            clientOptions.Endpoint = new Uri(baseUrl.ToString().TrimEnd('/'));
        }

        // Local servers (Ollama, vLLM) take no key, but the SDK insists on one; they ignore the header.
        var client = new OpenAIClient(new ApiKeyCredential(options.OpenAIApiKey ?? "unused"), clientOptions);
        return client.GetChatClient(options.OpenAIModel).AsIChatClient();
    }
}
