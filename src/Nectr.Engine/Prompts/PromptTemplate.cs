using System.Collections.Concurrent;
using System.Reflection;
using System.Text;
using System.Text.RegularExpressions;

namespace Nectr.Engine.Prompts;

/// <summary>
/// A prompt template embedded in the engine assembly, with <c>{{slot}}</c> placeholders and no logic. Values are
/// inserted in one pass and never re-scanned, so a value containing <c>{{x}}</c> stays literal. A slot without a
/// value, or a value without a slot, is a bug and throws: every prompt is rendered by the tests.
/// </summary>
internal sealed partial class PromptTemplate
{
    private static readonly ConcurrentDictionary<string, PromptTemplate> Loaded = new(StringComparer.Ordinal);

    private readonly List<(string Literal, string? Slot)> _parts;

    private PromptTemplate(string name, string text)
    {
        Name = name;
        _parts = [];
        var position = 0;
        foreach (Match match in SlotPattern().Matches(text))
        {
            _parts.Add((text[position..match.Index], match.Groups[1].Value));
            position = match.Index + match.Length;
        }

        var tail = text[position..];
        if (tail.Contains("{{", StringComparison.Ordinal) || _parts.Any(p => p.Literal.Contains("{{", StringComparison.Ordinal)))
        {
            throw new InvalidOperationException($"Prompt template {name} has a '{{{{' that is not a {{{{slot}}}}.");
        }

        _parts.Add((tail, null));
        Slots = _parts.Where(p => p.Slot is not null).Select(p => p.Slot!).ToHashSet(StringComparer.Ordinal);
    }

    public string Name { get; }

    public IReadOnlySet<string> Slots { get; }

    /// <summary>The template <c>Prompts/Templates/{name}.{version}.md</c>, read once.</summary>
    public static PromptTemplate Get(string name) => Get(name, ReviewPrompts.Version);

    /// <summary>The template <c>Prompts/Templates/{name}.{version}.md</c> of a prompt family versioned apart from the review's.</summary>
    public static PromptTemplate Get(string name, string version) =>
        Loaded.GetOrAdd($"{name}.{version}", static key => new PromptTemplate(key, ReadResource($"Nectr.Engine.Prompts.{key}.md")));

    internal static PromptTemplate Parse(string name, string text) => new(name, text);

    public string Render(IReadOnlyDictionary<string, string> values)
    {
        if (Slots.FirstOrDefault(s => !values.ContainsKey(s)) is { } missing)
        {
            throw new InvalidOperationException($"Prompt template {Name} has slot {{{{{missing}}}}} but no value was given for it.");
        }

        if (values.Keys.FirstOrDefault(k => !Slots.Contains(k)) is { } unknown)
        {
            throw new InvalidOperationException($"A value was given for slot {{{{{unknown}}}}}, which prompt template {Name} does not have.");
        }

        var builder = new StringBuilder(_parts.Sum(p => p.Literal.Length + (p.Slot is null ? 0 : values[p.Slot].Length)));
        foreach (var (literal, slot) in _parts)
        {
            builder.Append(literal);
            if (slot is not null)
            {
                builder.Append(values[slot]);
            }
        }

        return builder.ToString();
    }

    private static string ReadResource(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"The engine assembly lacks the prompt template {name}.");
        using var reader = new StreamReader(stream);
        // Templates are edited on any OS; the model sees the same text whatever the checkout's line endings.
        return reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
    }

    [GeneratedRegex(@"\{\{([a-z_]+)\}\}", RegexOptions.CultureInvariant)]
    private static partial Regex SlotPattern();
}
