using System.Globalization;
using Nectr.Engine.Review;

namespace Nectr.Engine.Prompts;

/// <summary>
/// The text a host adds to a review's conversation when it offers the model read-only tools: the paragraph appended to
/// the system prompt (the tools exist; their results are data), each tool result as an untrusted-data block fenced
/// with the review's nonce, and the turn that asks for the final answer when a tool limit is reached. Templates
/// <c>tools</c> and <c>tools-stop</c>, versioned with the other prompts.
/// </summary>
public static class ToolInstructions
{
    /// <summary>The kind of the untrusted-data block a tool result arrives in.</summary>
    public const string ResultKind = "tool-result";

    /// <summary>The paragraph appended to the system prompt of a question that is offered <paramref name="tools"/>.</summary>
    public static string System(QuestionScope scope, IReadOnlyList<string> tools, int rounds)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(tools);
        ArgumentOutOfRangeException.ThrowIfLessThan(rounds, 1);
        return PromptTemplate.Get("tools").Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["tools"] = string.Join(", ", tools),
            ["rounds"] = rounds.ToString(CultureInfo.InvariantCulture),
            ["nonce"] = scope.Nonce,
        });
    }

    /// <summary>
    /// One tool result as the model sees it: secrets redacted (a file at the head SHA may hold one the built-in checks
    /// report), neutralised and fenced with the review's nonce, so the result cannot close its block early.
    /// </summary>
    public static string Result(QuestionScope scope, string text)
    {
        ArgumentNullException.ThrowIfNull(scope);
        ArgumentNullException.ThrowIfNull(text);
        return UntrustedText.Block(ResultKind, scope.Nonce, SecretRedactor.Redact(text));
    }

    /// <summary>The user turn that ends the tool rounds; <paramref name="reason"/> is Nectr's own words, never data.</summary>
    public static string Stop(string reason)
    {
        ArgumentNullException.ThrowIfNull(reason);
        return PromptTemplate.Get("tools-stop").Render(new Dictionary<string, string>(StringComparer.Ordinal) { ["reason"] = reason });
    }
}
