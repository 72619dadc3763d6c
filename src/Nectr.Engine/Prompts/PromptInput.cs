using Nectr.Engine.Review;

namespace Nectr.Engine.Prompts;

/// <summary>The two messages of one model call.</summary>
public sealed record Prompt(string System, string User);

/// <summary>The focus of a specialist call; a synthesis call merges their answers.</summary>
public enum Specialty { Security, Performance, Style }

/// <summary>
/// What every prompt of one review is built from. <see cref="Nonce"/> is random per review (see
/// <see cref="ReviewPrompts.NewNonce"/>): it marks the end of untrusted blocks, so the PR author cannot forge one.
/// </summary>
public sealed record PromptInput(ReviewRequest Request, IReadOnlyList<Finding> BuiltInHints, PromptContext Context, string Nonce);

/// <summary>Extra context for the model, filled by later features; blocks with empty text are left out.</summary>
public sealed record PromptContext(IReadOnlyList<ContextBlock> Blocks)
{
    public static PromptContext Empty { get; } = new([]);
}

/// <summary>One piece of context. Its title and text are untrusted, whatever their source.</summary>
public sealed record ContextBlock(ContextKind Kind, string Title, string Text);

/// <summary>The kinds of context, in the order the prompt shows them.</summary>
public enum ContextKind { LinkedIssue, CandidateIssue, FileExperts, FileHistory, RelatedPullRequest, Memory, Mcp }
