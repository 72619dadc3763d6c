using System.Text.Json;
using Microsoft.Extensions.AI;
using Nectr.Configuration;

namespace Nectr.Llm;

/// <summary>
/// The one way Nectr asks the model something: a system prompt, a (possibly multi-turn) conversation, an answer
/// budget and an optional JSON schema in; text and token usage out. Retries and deadlines live in the
/// <see cref="ResilientChatClient"/> underneath; what could not be answered arrives as <see cref="LlmException"/>.
/// </summary>
internal sealed partial class LlmClient(IChatClient? chat, LlmOptions options, TimeProvider time, ILogger<LlmClient> logger)
{
    /// <summary>False with LLM_PROVIDER=none: the built-in checks are the whole review.</summary>
    public bool Enabled => chat is not null;

    public LlmOptions Options => options;

    public async Task<LlmReply> CompleteAsync(LlmCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        if (chat is null)
        {
            throw new LlmException("No LLM is configured (LLM_PROVIDER=none); set ANTHROPIC_API_KEY or OPENAI_API_KEY to enable the AI review.", true, 0);
        }

        List<ChatMessage> messages = [new(ChatRole.System, call.System)];
        messages.AddRange(call.Messages.Select(m => new ChatMessage(m.Role == LlmRole.Assistant ? ChatRole.Assistant : ChatRole.User, m.Text)));
        var chatOptions = new ChatOptions { ModelId = options.Model, MaxOutputTokens = call.MaxOutputTokens };
        if (call.MaxAttempts is { } maxAttempts)
        {
            (chatOptions.AdditionalProperties ??= [])[ResilientChatClient.MaxAttemptsKey] = maxAttempts;
        }

        if (call.JsonSchema is not null)
        {
            chatOptions.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonElement.Parse(call.JsonSchema), call.SchemaName);
        }

        var started = time.GetTimestamp();
        Log.Calling(logger, options.Model, messages.Count, call.MaxOutputTokens);
        var response = await chat.GetResponseAsync(messages, chatOptions, cancellationToken);
        var elapsed = time.GetElapsedTime(started);
        var attempts = response.AdditionalProperties?.TryGetValue(ResilientChatClient.AttemptsKey, out var value) == true && value is int n ? n : 1;
        var reply = new LlmReply(
            response.Text,
            response.Usage?.InputTokenCount ?? 0,
            response.Usage?.OutputTokenCount ?? 0,
            string.IsNullOrEmpty(response.ModelId) ? options.Model : response.ModelId,
            elapsed,
            attempts,
            response.FinishReason == ChatFinishReason.Length);
        Log.Answered(logger, reply.Model, reply.InputTokens, reply.OutputTokens, (long)elapsed.TotalMilliseconds, attempts);
        Log.AnswerText(logger, reply.Text);
        return reply;
    }

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Asking {Model}: {Messages} messages, at most {MaxOutputTokens} output tokens.")]
        public static partial void Calling(ILogger logger, string model, int messages, int maxOutputTokens);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Model} answered: {InputTokens} input and {OutputTokens} output tokens in {ElapsedMs} ms ({Attempts} attempt(s)).")]
        public static partial void Answered(ILogger logger, string model, long inputTokens, long outputTokens, long elapsedMs, int attempts);

        /// <summary>Model output may quote the diff: Trace only, never at Information.</summary>
        [LoggerMessage(Level = LogLevel.Trace, Message = "Model answer: {Text}")]
        public static partial void AnswerText(ILogger logger, string text);
    }
}
