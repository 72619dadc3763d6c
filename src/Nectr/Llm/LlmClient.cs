using System.Globalization;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Nectr.Configuration;
using Nectr.Jobs;

namespace Nectr.Llm;

/// <summary>
/// The one way Nectr asks the model something: a system prompt, a (possibly multi-turn) conversation, an answer
/// budget and an optional JSON schema in; text and token usage out. Retries and deadlines live in the HttpClient's
/// pipeline underneath (<see cref="LlmResilience"/>); what could not be answered arrives as <see cref="LlmException"/>.
/// </summary>
/// <remarks>
/// Scoped: one per review (the worker opens a scope per job). The scope's <see cref="RetryBudget"/>, when there is
/// one, is spent by every retry of every call; a server that refuses structured output is asked without it for the
/// rest of this review, and no other.
/// </remarks>
internal sealed partial class LlmClient(
    LlmOptions options,
    TimeProvider time,
    ILogger<LlmClient> logger,
    IHttpMessageHandlerFactory? handlers = null,
    RetryBudget? budget = null,
    LlmReachability? reachability = null)
{
    private static readonly string[] ToolTerms = ["tool", "function"];

    private static readonly string[] SchemaTerms = ["response_format", "json_schema", "output_config", "output_format", "structured output", "schema"];

    /// <summary>This review's server refused structured output once: the prompt alone asks for the JSON from then on.</summary>
    private volatile bool _schemaRefused;

    /// <summary>This review's server refused the tools once: every later question of the review is asked without them.</summary>
    private volatile bool _toolsRefused;

    /// <summary>False with LLM_PROVIDER=none: the built-in checks are the whole review.</summary>
    public bool Enabled => options.Enabled && handlers is not null;

    public LlmOptions Options => options;

    public async Task<LlmReply> CompleteAsync(LlmCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        EnsureEnabled();
        var messages = Conversation(call.System, call);
        var started = time.GetTimestamp();
        Log.Calling(logger, options.Model, messages.Count, call.MaxOutputTokens);
        var sent = await SendAsync(messages, call, null, cancellationToken);
        return Reply(sent.Response!, sent.Attempts, time.GetElapsedTime(started));
    }

    private void EnsureEnabled()
    {
        if (!Enabled)
        {
            throw new LlmException("No LLM is configured (LLM_PROVIDER=none); set ANTHROPIC_API_KEY or OPENAI_API_KEY to enable the AI review.", true, 0);
        }
    }

    private static List<ChatMessage> Conversation(string system, LlmCall call)
    {
        List<ChatMessage> messages = [new(ChatRole.System, system)];
        messages.AddRange(call.Messages.Select(m => new ChatMessage(m.Role == LlmRole.Assistant ? ChatRole.Assistant : ChatRole.User, m.Text)));
        return messages;
    }

    /// <summary>The tools offered with one call; <see cref="Final"/>: listed (the conversation holds their calls) but not to be called.</summary>
    private sealed record ToolOffer(IReadOnlyList<AITool> Tools, bool Final);

    /// <summary>One call's outcome: the response, or null when the server refused the tools offered (<see cref="ToolsRefused"/>).</summary>
    private sealed record Sent(ChatResponse? Response, int Attempts, bool ToolsRefused);

    /// <summary>
    /// One question to the model, retried by the pipeline underneath. A server that refuses structured output is asked
    /// again without it; a server that refuses the tools offered is not asked again here: the caller falls back.
    /// </summary>
    private async Task<Sent> SendAsync(List<ChatMessage> messages, LlmCall call, ToolOffer? tools, CancellationToken cancellationToken)
    {
        var attempts = 0;
        while (true)
        {
            var withSchema = call.JsonSchema is not null && !_schemaRefused;
            var record = new LlmCallRecord();
            try
            {
                var response = await SendOnceAsync(messages, ChatOptionsFor(call, withSchema, tools), record, cancellationToken);
                attempts += record.Attempts;
                reachability?.Answered(time.GetUtcNow());
                return new Sent(response, attempts, false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested && ex is not LlmException)
            {
                attempts += record.Attempts;
                var failure = LlmFailures.Classify(ex, record, options);
                if (tools is not null && failure.Status == 400 && MentionsTools(record.ErrorBody ?? ex.Message))
                {
                    // A model or server without function calling (a small local model, a server started without a tool
                    // parser) refuses the tools, not the review: the caller asks the single question without them.
                    _toolsRefused = true;
                    Log.ToolsRefused(logger, options.Model);
                    return new Sent(null, attempts, true);
                }

                if (withSchema && failure.Status == 400 && MentionsSchema(record.ErrorBody ?? ex.Message))
                {
                    // A server without structured output (an older model, a local server) refuses the format, not the
                    // review: the prompt asks for the same JSON, and the parser is tolerant. Asking again without it
                    // is a different question, not a retry, so it spends nothing from the retry budget.
                    _schemaRefused = true;
                    Log.StructuredOutputRefused(logger, options.Model);
                    continue;
                }

                var reason = failure.Retry ? failure.Reason + GaveUp(record) : failure.Reason;
                Log.GaveUp(logger, attempts, failure.Status, reason);
                reachability?.Failed(time.GetUtcNow(), reason, failure.Permanent);
                throw new LlmException(reason, failure.Permanent, attempts, ex);
            }
        }
    }

    /// <summary>One call through a client of its own: its handler carries this call's record and the job's budget.</summary>
    private async Task<ChatResponse> SendOnceAsync(List<ChatMessage> messages, ChatOptions chatOptions, LlmCallRecord record, CancellationToken cancellationToken)
    {
        using var http = new HttpClient(new LlmCallHandler(budget, record, time) { InnerHandler = handlers!.CreateHandler(LlmResilience.ClientName) })
        {
            Timeout = Timeout.InfiniteTimeSpan, // each attempt has its own deadline in the pipeline
        };
        using var chat = ChatClientFactory.Create(options, http);
        return await chat.GetResponseAsync(messages, chatOptions, cancellationToken);
    }

    private ChatOptions ChatOptionsFor(LlmCall call, bool withSchema, ToolOffer? tools)
    {
        var chatOptions = new ChatOptions { ModelId = options.Model, MaxOutputTokens = call.MaxOutputTokens };
        if (withSchema)
        {
            chatOptions.ResponseFormat = ChatResponseFormat.ForJsonSchema(JsonElement.Parse(call.JsonSchema!), call.SchemaName);
        }

        if (tools is not null)
        {
            chatOptions.Tools = [.. tools.Tools];
            chatOptions.ToolMode = tools.Final ? ChatToolMode.None : ChatToolMode.Auto;
        }

        return chatOptions;
    }

    private LlmReply Reply(ChatResponse response, int attempts, TimeSpan elapsed) => Reply(response, attempts, elapsed, new Spent(0, 0, 0));

    /// <summary>The final response's answer, with the tokens of the calls before it (<paramref name="before"/>) counted in.</summary>
    private LlmReply Reply(ChatResponse response, int attempts, TimeSpan elapsed, Spent before)
    {
        var reply = new LlmReply(
            response.Text,
            before.InputTokens + (response.Usage?.InputTokenCount ?? 0),
            before.OutputTokens + (response.Usage?.OutputTokenCount ?? 0),
            string.IsNullOrEmpty(response.ModelId) ? options.Model : response.ModelId,
            elapsed,
            attempts,
            response.FinishReason == ChatFinishReason.Length,
            before.Calls + 1);
        Log.Answered(logger, reply.Model, reply.InputTokens, reply.OutputTokens, (long)elapsed.TotalMilliseconds, attempts);
        Log.AnswerText(logger, reply.Text);
        return reply;
    }

    /// <summary>
    /// Why a transient failure was not tried again. Not permanent: an outage of minutes should delay the review (the
    /// job queue retries it with its own backoff and parks it after REVIEW_MAX_ATTEMPTS), not lose it.
    /// </summary>
    private static string GaveUp(LlmCallRecord record)
    {
        var tries = string.Create(CultureInfo.InvariantCulture, $"Gave up after {record.Attempts} attempt{(record.Attempts == 1 ? "" : "s")}");
        return record.Stop switch
        {
            LlmStop.RetryAfterTooLong when record.RetryAfter is { } asked => string.Create(CultureInfo.InvariantCulture,
                $" It asks to wait {Math.Ceiling(asked.TotalSeconds)} s, longer than LLM_RETRY_MAX_SECONDS; the review will be tried again later."),
            LlmStop.BudgetSpent => $" {tries} (the review job's retry budget is spent); the review will be tried again later.",
            _ => $" {tries} (LLM_MAX_ATTEMPTS); the review will be tried again later.",
        };
    }

    private static bool MentionsSchema(string text) =>
        SchemaTerms.Any(term => text.Contains(term, StringComparison.OrdinalIgnoreCase));

    private static bool MentionsTools(string text) =>
        ToolTerms.Any(term => text.Contains(term, StringComparison.OrdinalIgnoreCase));

    private static partial class Log
    {
        [LoggerMessage(Level = LogLevel.Debug, Message = "Asking {Model}: {Messages} messages, at most {MaxOutputTokens} output tokens.")]
        public static partial void Calling(ILogger logger, string model, int messages, int maxOutputTokens);

        [LoggerMessage(Level = LogLevel.Information, Message = "{Model} answered: {InputTokens} input and {OutputTokens} output tokens in {ElapsedMs} ms ({Attempts} attempt(s)).")]
        public static partial void Answered(ILogger logger, string model, long inputTokens, long outputTokens, long elapsedMs, int attempts);

        /// <summary>Model output may quote the diff: Trace only, never at Information.</summary>
        [LoggerMessage(Level = LogLevel.Trace, Message = "Model answer: {Text}")]
        public static partial void AnswerText(ILogger logger, string text);

        [LoggerMessage(Level = LogLevel.Warning, Message = "LLM call failed after {Attempts} attempt(s) (status {Status}): {Reason}")]
        public static partial void GaveUp(ILogger logger, int attempts, int? status, string reason);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM server refused the tools for model {Model}; asking without them for the rest of this review.")]
        public static partial void ToolsRefused(ILogger logger, string model);

        [LoggerMessage(Level = LogLevel.Warning, Message = "The LLM server refused structured output for model {Model}; asking for JSON by prompt alone for the rest of this review.")]
        public static partial void StructuredOutputRefused(ILogger logger, string model);
    }
}
