using Nectr.Engine.Findings;

namespace Nectr.Engine.Review;

/// <summary>Who said a turn of the conversation with the model.</summary>
public enum TurnRole { User, Assistant }

/// <summary>One turn; an assistant turn lets the review re-prompt after an unreadable answer.</summary>
public sealed record ModelTurn(TurnRole Role, string Text)
{
    public static ModelTurn User(string text) => new(TurnRole.User, text);

    public static ModelTurn Assistant(string text) => new(TurnRole.Assistant, text);
}

/// <summary>The structured-output format asked for; the answer is still read tolerantly, so it is an optimisation, never a guarantee.</summary>
public sealed record ResponseSchema(string Name, string Json)
{
    public static ResponseSchema Answer { get; } = new(AnswerSchema.Name, AnswerSchema.Json);
}

/// <summary>What the model answered to one question, the model that answered, and that one call's tokens and cost.</summary>
public sealed record ModelReply(string Text, string Model, LlmUsage Usage);

/// <summary>Which call of a review a question is: the general review, one specialist's, or the synthesis of theirs.</summary>
public enum QuestionFocus { General, Security, Performance, Style, Synthesis }

/// <summary>
/// What the port may need to know about a question besides its text: its <see cref="Focus"/> (a host that offers the
/// model read-only tools offers each focus only the tools that serve it) and the review's <see cref="Nonce"/>, which
/// fences anything the host adds to the conversation (tool results) as untrusted data, like the PR text.
/// </summary>
public sealed record QuestionScope(QuestionFocus Focus, string Nonce);

/// <summary>
/// The model, as the review policy sees it: a system prompt and a conversation in, text and usage out. The host
/// wires a provider behind it (deadlines, retries, pricing and any tool rounds are its business; the usage it
/// returns covers every call it made for the question); a failure the review cannot recover from is thrown and
/// ends the review.
/// </summary>
public interface IReviewModel
{
    Task<ModelReply> AskAsync(string system, IReadOnlyList<ModelTurn> turns, ResponseSchema? schema, QuestionScope scope, CancellationToken cancellationToken);
}

/// <summary>
/// One question of a review, without this run's random nonce (it differs on every attempt of a job), so that a
/// question asked again by a retried job has the same key: prompt version, model, answer budget and prompt text.
/// </summary>
public sealed record QuestionKey(string PromptVersion, string Model, int OutputTokens, string System, string User);

/// <summary>One question's outcome: the parsed answer (null: unreadable even after the repair turn), the model, and its calls' usage.</summary>
public sealed record StoredAnswer(ModelAnswer? Answer, string Model, LlmUsage Usage);

/// <summary>
/// Answers a review already paid for, by question: a retried review job asks only what is still unanswered and
/// counts each paid call once. <see cref="None"/> keeps nothing (a review outside the job queue).
/// </summary>
public interface IAnswerCache
{
    public static IAnswerCache None { get; } = new NoAnswers();

    StoredAnswer? Find(QuestionKey key);

    /// <summary>Keeps an answer; a cache that cannot keep it costs a second question on a retry, nothing more.</summary>
    Task SaveAsync(QuestionKey key, StoredAnswer answer, CancellationToken cancellationToken);

    private sealed class NoAnswers : IAnswerCache
    {
        public StoredAnswer? Find(QuestionKey key) => null;

        public Task SaveAsync(QuestionKey key, StoredAnswer answer, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
