using Nectr.Engine.Review;

namespace Nectr.Engine.Findings;

/// <summary>One finding as a model reported it: not yet checked against the diff, the file list or anything else.</summary>
public sealed record ModelFinding(
    string File,
    int Line,
    int? EndLine,
    Severity Severity,
    string Category,
    string Title,
    string Body,
    string? Suggestion);

/// <summary>
/// The model's claim that the pull request resolves candidate issue <see cref="Number"/>, with a confidence of 1–5
/// and a one-line reason. Untrusted: only numbers Nectr offered as candidates count, and the reason is model text.
/// </summary>
public sealed record ModelResolution(int Number, int Confidence, string Reason);

/// <summary>
/// The answer contract: what a model returns for one review call. <see cref="Confidence"/> is 1–5 when the
/// model gave one. Everything in it is untrusted model output until the findings pipeline and output hygiene ran.
/// </summary>
public sealed record ModelAnswer(
    string Summary,
    IReadOnlyList<string> KeyChanges,
    IReadOnlyList<ModelFinding> Findings,
    int? Confidence)
{
    /// <summary>Candidate issues the model says the change resolves; empty when it named none (or gave none valid).</summary>
    public IReadOnlyList<ModelResolution> Resolves { get; init; } = [];
}
