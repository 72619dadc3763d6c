namespace Nectr.Llm;

internal enum LlmRole { User, Assistant }

/// <summary>One turn of the conversation; an assistant turn lets the caller re-prompt after an unreadable answer.</summary>
internal sealed record LlmMessage(LlmRole Role, string Text)
{
    public static LlmMessage User(string text) => new(LlmRole.User, text);

    public static LlmMessage Assistant(string text) => new(LlmRole.Assistant, text);
}

/// <summary>
/// One request to the model. <paramref name="JsonSchema"/>, when given, is sent as the provider's structured-output
/// format; the answer is still parsed tolerantly, so the schema is an optimisation, never a guarantee.
/// </summary>
internal sealed record LlmCall(string System, IReadOnlyList<LlmMessage> Messages, int MaxOutputTokens, string? JsonSchema = null, string SchemaName = "response");

/// <summary>
/// The model's answer with what it cost in tokens. <paramref name="Elapsed"/> covers every attempt and wait;
/// <paramref name="Truncated"/>: the answer stopped at the output-token limit. <paramref name="Calls"/>: the paid
/// calls behind the answer (more than one when the model used tools), whose tokens are all counted here.
/// </summary>
internal sealed record LlmReply(string Text, long InputTokens, long OutputTokens, string Model, TimeSpan Elapsed, int Attempts = 1, bool Truncated = false, int Calls = 1);

/// <summary>
/// A model call that did not produce an answer. <see cref="Permanent"/>: trying again cannot help until an operator
/// acts (bad key, exhausted credit, a request the provider refuses); otherwise the job may retry later.
/// <see cref="Reason"/> is safe to show users: it never contains keys, prompts or model output.
/// </summary>
internal sealed class LlmException(string reason, bool permanent, int attempts, Exception? inner = null) : Exception(reason, inner)
{
    public string Reason { get; } = reason;

    public bool Permanent { get; } = permanent;

    public int Attempts { get; } = attempts;
}
