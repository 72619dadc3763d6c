using Nectr.Engine.Review;

namespace Nectr.Engine.Budget;

/// <summary>
/// The token budget of one model call. Input per call is at most <see cref="ContextTokens"/> − <see cref="OutputReserve"/>;
/// <see cref="FixedPromptTokens"/> is what the system prompt, PR text, hints and context already take in every call
/// (see <c>ReviewPrompts.FixedTokens</c>), so the hunks of one call get the rest.
/// </summary>
public sealed record PromptBudget(int ContextTokens, int OutputReserve, int MaxCalls, int FixedPromptTokens)
{
    /// <summary>Tokens left for rendered hunks in one call; zero or less means no file can be sent.</summary>
    public int ChunkCapacity => ContextTokens - OutputReserve - FixedPromptTokens;
}

/// <summary>
/// What the model is shown, call by call, and what it is not. Every reviewable file is either wholly in a chunk or
/// listed in <see cref="NotSent"/> (a clipped file is in both: its leading hunks in a chunk, the reason here).
/// </summary>
public sealed record ChunkPlan(IReadOnlyList<PromptChunk> Chunks, IReadOnlyList<SkippedFile> NotSent);

/// <summary>
/// The files of one model call; <see cref="Tokens"/> is the count of <see cref="Text"/>, the hunks as sent. Chunks come
/// from <see cref="ChunkPlanner"/>, whose rendering redacts secrets: prompts send <see cref="Text"/> as it is.
/// </summary>
public sealed record PromptChunk(IReadOnlyList<ChunkFile> Files, int Tokens)
{
    /// <summary>Rendered files separated by a blank line, exactly as they go into the prompt.</summary>
    public string Text => Join(Files);

    internal static string Join(IEnumerable<ChunkFile> files) => string.Join('\n', files.Select(f => f.Rendered));
}

/// <summary>One file as rendered for the model; <see cref="Clipped"/> when only its leading hunks fit.</summary>
public sealed record ChunkFile(string Path, string Rendered, int Tokens, bool Clipped);
