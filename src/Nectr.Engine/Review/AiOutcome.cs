using Nectr.Engine.Findings;

namespace Nectr.Engine.Review;

/// <summary>
/// What the AI stage of one review produced, for <see cref="ReviewEngine.Finish"/>. <see cref="Answer"/> is the
/// merged answer of every call, or null when the review fell back to the built-in checks (see <see cref="Notes"/>).
/// <see cref="NotSent"/> lists files (or parts of files) the model did not see, for the coverage section.
/// </summary>
public sealed record AiOutcome(
    string Model,
    ModelAnswer? Answer,
    IReadOnlyList<SkippedFile> NotSent,
    IReadOnlyList<string> Notes,
    LlmUsage Usage);

/// <summary>Tokens and cost of every LLM call of one review; <see cref="CostUsd"/> is null when the model has no price.</summary>
public sealed record LlmUsage(int Calls, long InputTokens, long OutputTokens, decimal? CostUsd)
{
    public static LlmUsage None { get; } = new(0, 0, 0, 0m);
}
