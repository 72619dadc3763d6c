using System.Text.Json;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Memory;

/// <summary>One memory the model proposed, already checked: a known type, 1–<see cref="MemoryProposals.MaxContentChars"/> characters.</summary>
public sealed record MemoryProposal(string Type, string Content, string? Developer);

/// <summary>What the model's answer held: the proposals kept, and how many were dropped (and why, for the record).</summary>
public sealed record ParsedProposals(IReadOnlyList<MemoryProposal> Kept, int Dropped, string? Problem);

/// <summary>
/// Reads the model's answer to the extraction prompt, <c>{"memories":[{type, content, developer}]}</c>. The answer is
/// model output, so untrusted: a proposal with an unknown type (or <c>project_map</c>, which only the project scan
/// writes), empty or oversized content, control characters, or a developer type without a valid login is dropped,
/// and at most <see cref="MaxProposals"/> are kept. An answer that is not JSON keeps nothing and says so.
/// </summary>
public static partial class MemoryProposals
{
    public const int MaxProposals = 4;
    public const int MaxContentChars = 500;

    private static readonly HashSet<string> DeveloperTypes = new(StringComparer.Ordinal)
    {
        MemoryTypes.DeveloperPattern, MemoryTypes.DeveloperStrength, MemoryTypes.ContributorProfile,
    };

    public static ParsedProposals Parse(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var start = answer.IndexOf('{', StringComparison.Ordinal);
        var end = answer.LastIndexOf('}');
        if (start < 0 || end < start)
        {
            return new ParsedProposals([], 0, "the answer holds no JSON object");
        }

        JsonElement memories;
        try
        {
            using var document = JsonDocument.Parse(answer.AsMemory(start, end - start + 1));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("memories", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                return new ParsedProposals([], 0, "the answer has no \"memories\" list");
            }

            memories = list.Clone();
        }
        catch (JsonException)
        {
            return new ParsedProposals([], 0, "the answer is not valid JSON");
        }

        var kept = new List<MemoryProposal>();
        var dropped = 0;
        foreach (var item in memories.EnumerateArray())
        {
            if (kept.Count < MaxProposals && Read(item) is { } proposal)
            {
                kept.Add(proposal);
            }
            else
            {
                dropped++;
            }
        }

        return new ParsedProposals(kept, dropped, null);
    }

    private static MemoryProposal? Read(JsonElement item)
    {
        if (item.ValueKind != JsonValueKind.Object
            || String(item, "type") is not { } type || String(item, "content") is not { } raw)
        {
            return null;
        }

        if (!MemoryTypes.IsKnown(type) || type == MemoryTypes.ProjectMap)
        {
            return null;
        }

        var content = Whitespace().Replace(raw, " ").Trim();
        if (content.Length == 0 || content.Length > MaxContentChars || content.Any(char.IsControl))
        {
            return null;
        }

        var developer = String(item, "developer")?.Trim().TrimStart('@');
        if (!DeveloperTypes.Contains(type))
        {
            // A rule, pattern or decision belongs to the project, whoever the model thinks it is about.
            return new MemoryProposal(type, content, null);
        }

        return developer is not null && Login().IsMatch(developer) ? new MemoryProposal(type, content, developer) : null;
    }

    private static string? String(JsonElement item, string name)
    {
        if (!item.TryGetProperty(name, out var value) || value.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            return null; // a lone surrogate escape
        }
    }

    // Line breaks and runs of spaces: one memory is one paragraph in a bulleted list.
    [GeneratedRegex(@"[ \t\r\n]+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();

    // A GitHub login (bots included: name[bot]).
    [GeneratedRegex(@"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})(?:\[bot\])?$", RegexOptions.CultureInvariant)]
    private static partial Regex Login();
}
