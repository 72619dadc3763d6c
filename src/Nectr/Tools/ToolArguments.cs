using System.Globalization;
using System.Text.Json;

namespace Nectr.Tools;

/// <summary>A tool call the toolbox will not run: the message goes back to the model as the call's result.</summary>
internal sealed class ToolArgumentException(string message) : Exception(message);

/// <summary>
/// The arguments of one tool call, checked against what the tool declares: only known names, the right types, sane
/// sizes. The model writes them, so they are untrusted text like everything else it writes.
/// </summary>
internal sealed class ToolArguments
{
    private const int MaxTextLength = 1_000;

    private readonly IDictionary<string, object?> _values;

    private ToolArguments(IDictionary<string, object?> values) => _values = values;

    /// <summary>The arguments, or a <see cref="ToolArgumentException"/> naming the first one the tool does not take.</summary>
    public static ToolArguments Of(IDictionary<string, object?>? values, params string[] allowed)
    {
        var arguments = values ?? new Dictionary<string, object?>();
        if (arguments.Keys.FirstOrDefault(k => !allowed.Contains(k, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ToolArgumentException($"unknown argument '{Short(unknown)}'; this tool takes {string.Join(", ", allowed)}");
        }

        return new ToolArguments(arguments);
    }

    public string RequiredText(string name) =>
        Text(name) ?? throw new ToolArgumentException($"'{name}' is required");

    public string? Text(string name)
    {
        var value = Value(name);
        var text = value switch
        {
            null => null,
            string s => s,
            JsonElement { ValueKind: JsonValueKind.String } e => e.GetString(),
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            _ => throw new ToolArgumentException($"'{name}' must be a string"),
        };
        if (text is { Length: > MaxTextLength })
        {
            throw new ToolArgumentException($"'{name}' is longer than {MaxTextLength} characters");
        }

        return string.IsNullOrWhiteSpace(text) ? null : text.Trim();
    }

    public int RequiredNumber(string name, int min) =>
        Number(name, min) ?? throw new ToolArgumentException($"'{name}' is required");

    /// <summary>A whole number of at least <paramref name="min"/>; models sometimes send numbers as strings, which is accepted.</summary>
    public int? Number(string name, int min)
    {
        long? number = Value(name) switch
        {
            null => null,
            JsonElement { ValueKind: JsonValueKind.Null } => null,
            JsonElement { ValueKind: JsonValueKind.Number } e when e.TryGetInt64(out var n) => n,
            JsonElement { ValueKind: JsonValueKind.String } e when long.TryParse(e.GetString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            string s when long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) => n,
            int i => i,
            long l => l,
            _ => throw new ToolArgumentException($"'{name}' must be a whole number"),
        };
        if (number is { } value && (value < min || value > int.MaxValue))
        {
            throw new ToolArgumentException($"'{name}' must be a whole number from {min} to {int.MaxValue}");
        }

        return (int?)number;
    }

    private object? Value(string name) => _values.TryGetValue(name, out var value) ? value : null;

    private static string Short(string text) => text.Length <= 40 ? text : text[..40] + "…";
}
