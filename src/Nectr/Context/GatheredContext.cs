using Nectr.Engine.Context;
using Nectr.Engine.Prompts;

namespace Nectr.Context;

/// <summary>
/// What the gatherer found: the blocks for the model's prompt, the parts the review body shows (with the gaps its
/// coverage names), and the PR's commit messages when they were read (the prompt shows them too).
/// </summary>
internal sealed record GatheredContext(PromptContext Prompt, ReviewContext Review, IReadOnlyList<string> CommitMessages)
{
    /// <summary>No context at all, and why: the offline diff review has no repository to ask.</summary>
    public static GatheredContext None(string why) =>
        new(PromptContext.Empty, new ReviewContext { Gaps = [new ContextGap("repository context", why)] }, []);
}
