using System.Text.Json;

namespace Nectr.Engine.Findings;

/// <summary>
/// The fast path of <see cref="AnswerParser"/>: structured output makes a bare, valid JSON object the normal answer,
/// and <see cref="System.Text.Json"/> reads one far faster than the forgiving reader. It yields exactly what
/// <see cref="LenientJson"/> would (the same dictionaries, normalised keys, doubles, last repeated key wins), so
/// <see cref="AnswerMapping"/> is the one place that gives the object meaning; anything it cannot read strictly
/// (fences, prose, comments, odd numbers) is left to the forgiving reader by returning null.
/// </summary>
internal static class StrictAnswerJson
{
    private static readonly JsonDocumentOptions Strict = new() { MaxDepth = 64 };

    public static Dictionary<string, object?>? TryRead(string text)
    {
        var trimmed = text.AsSpan().Trim();
        if (trimmed.Length < 2 || trimmed[0] != '{' || trimmed[^1] != '}')
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(trimmed.ToString(), Strict);
            return Convert(document.RootElement, out var value) ? value as Dictionary<string, object?> : null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or ArgumentException)
        {
            return null;
        }
    }

    private static bool Convert(JsonElement element, out object? value)
    {
        value = null;
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                var obj = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in element.EnumerateObject())
                {
                    if (!Convert(property.Value, out var item))
                    {
                        return false;
                    }

                    obj[LenientJson.Key(property.Name)] = item;
                }

                value = obj;
                return true;
            case JsonValueKind.Array:
                var list = new List<object?>(element.GetArrayLength());
                foreach (var entry in element.EnumerateArray())
                {
                    if (!Convert(entry, out var item))
                    {
                        return false;
                    }

                    list.Add(item);
                }

                value = list;
                return true;
            case JsonValueKind.String:
                value = element.GetString();
                return true;
            case JsonValueKind.Number:
                // The forgiving reader keeps finite doubles only; anything else is its call to make.
                if (element.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    value = number;
                    return true;
                }

                return false;
            case JsonValueKind.True or JsonValueKind.False:
                value = element.GetBoolean();
                return true;
            case JsonValueKind.Null:
                return true;
            default:
                return false;
        }
    }
}
