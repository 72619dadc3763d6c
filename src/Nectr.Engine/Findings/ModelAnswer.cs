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
/// The answer contract: what a model returns for one review call. <see cref="Confidence"/> is 1–5 when the
/// model gave one. Everything in it is untrusted model output until the findings pipeline and output hygiene ran.
/// </summary>
public sealed record ModelAnswer(
    string Summary,
    IReadOnlyList<string> KeyChanges,
    IReadOnlyList<ModelFinding> Findings,
    int? Confidence);
