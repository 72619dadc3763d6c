using System.Globalization;
using System.Text;
using Nectr.Engine.Prompts;

namespace Nectr.Engine.Memory;

/// <summary>What the model is shown after a review: the PR, the review Nectr posted, and the memories that exist.</summary>
public sealed record MemoryExtractionInput(
    string Repository,
    int Number,
    string? Author,
    string Title,
    string? Description,
    IReadOnlyList<string> Paths,
    string ReviewSummary,
    IReadOnlyList<string> Findings,
    IReadOnlyList<string> ExistingMemories);

/// <summary>
/// The prompt that asks the model for 0–4 memories after a review. Everything from the PR, the review (model output)
/// and the stored memories (which PR text may have taught) goes in untrusted blocks closed by a per-call nonce.
/// Versioned apart from the review prompts: a change here bumps <see cref="Version"/>, not the review's.
/// </summary>
public static class MemoryExtractionPrompt
{
    public const string Version = "v1";

    public const int MaxPaths = 100;
    public const int MaxFindings = 30;
    public const int MaxExisting = 40;
    private const int TitleChars = 300;
    private const int DescriptionChars = 4_000;
    private const int ReviewChars = 6_000;
    private const int ExistingChars = 6_000;

    /// <summary>The answer contract, also sent as the provider's structured-output schema.</summary>
    public const string AnswerSchema = """
        {"type":"object","additionalProperties":false,"required":["memories"],"properties":{"memories":{"type":"array","maxItems":4,"items":{"type":"object","additionalProperties":false,"required":["type","content","developer"],"properties":{"type":{"type":"string","enum":["project_rule","code_pattern","decision","developer_pattern","developer_strength","contributor_profile"]},"content":{"type":"string"},"developer":{"type":["string","null"]}}}}}}
        """;

    public static Prompt Build(MemoryExtractionInput input, string nonce)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentException.ThrowIfNullOrEmpty(nonce);
        var system = PromptTemplate.Get("memory-extraction-system", Version).Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["nonce"] = nonce,
            ["answer_schema"] = AnswerSchema,
        });
        var review = new StringBuilder(input.ReviewSummary);
        if (input.Findings.Count > 0)
        {
            review.Append("\n\nFindings:\n");
            foreach (var finding in input.Findings.Take(MaxFindings))
            {
                review.Append("- ").Append(finding).Append('\n');
            }
        }

        var user = PromptTemplate.Get("memory-extraction-user", Version).Render(new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["repository"] = input.Repository,
            ["number"] = input.Number.ToString(CultureInfo.InvariantCulture),
            ["author"] = Untrusted("pr-author", input.Author ?? "(unknown)", 100, nonce),
            ["title"] = Untrusted("pr-title", input.Title, TitleChars, nonce),
            ["description"] = string.IsNullOrWhiteSpace(input.Description) ? "(none)" : Untrusted("pr-description", input.Description, DescriptionChars, nonce),
            ["paths"] = input.Paths.Count == 0 ? "(none)" : Untrusted("paths", string.Join('\n', input.Paths.Take(MaxPaths)), int.MaxValue, nonce),
            ["review"] = Untrusted("review", review.ToString(), ReviewChars, nonce),
            ["existing"] = input.ExistingMemories.Count == 0
                ? "(none)"
                : Untrusted("memories", string.Join('\n', input.ExistingMemories.Take(MaxExisting).Select(m => "- " + m)), ExistingChars, nonce),
        });
        return new Prompt(system, user);
    }

    private static string Untrusted(string kind, string text, int maxChars, string nonce)
    {
        var redacted = SecretRedactor.Redact(text);
        var cut = redacted.Length <= maxChars ? redacted : string.Concat(redacted.AsSpan(0, char.IsHighSurrogate(redacted[maxChars - 1]) ? maxChars - 1 : maxChars), "\n[… truncated]");
        return UntrustedText.Block(kind, nonce, cut);
    }
}
