namespace Nectr.Engine.Review;

/// <summary>
/// The parts of the review body beyond findings and coverage. <see cref="Summary"/> and <see cref="KeyChanges"/>
/// are model text that already went through <see cref="OutputHygiene"/>; <see cref="Notes"/> are Nectr's own words;
/// <see cref="Context"/> is the rendered context sections (<see cref="ContextSections"/>), empty when there are none.
/// </summary>
internal sealed record ReviewView(
    Verdict Verdict,
    string VerdictReason,
    string? Summary,
    IReadOnlyList<string> KeyChanges,
    IReadOnlyList<string> Notes,
    string? Model,
    LlmUsage Usage,
    int? Confidence)
{
    public string Context { get; init; } = "";
}
