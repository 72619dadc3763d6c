using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nectr.McpClient;

/// <summary>
/// A tool's definition as pinned: the SHA-256 of its canonical description, input schema and output schema (object
/// keys sorted, no whitespace, so the same definition always hashes the same), and short hashes of each part so a
/// change can say what changed.
/// </summary>
internal sealed record McpToolDefinition(string Tool, string Sha256, string Parts)
{
    public static McpToolDefinition Of(string tool, string? description, JsonElement inputSchema, JsonElement? outputSchema)
    {
        var parts = new[] { JsonSerializer.Serialize(description ?? ""), Canonical(inputSchema), outputSchema is { } output ? Canonical(output) : "null" };
        var whole = "{\"description\":" + parts[0] + ",\"inputSchema\":" + parts[1] + ",\"outputSchema\":" + parts[2] + "}";
        return new McpToolDefinition(tool, Hash(whole), string.Join(':', parts.Select(p => Hash(p)[..16])));
    }

    /// <summary>Which parts differ between two <see cref="Parts"/> values: "description and input schema changed".</summary>
    public static string Summary(string pinned, string now)
    {
        string[] names = ["description", "input schema", "output schema"];
        var a = pinned.Split(':');
        var b = now.Split(':');
        var changed = names.Where((_, i) => i >= a.Length || i >= b.Length || a[i] != b[i]).ToList();
        return changed.Count switch
        {
            0 => "definition changed",
            1 => changed[0] + " changed",
            _ => string.Join(", ", changed[..^1]) + " and " + changed[^1] + " changed",
        };
    }

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    internal static string Canonical(JsonElement element)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            Write(writer, element);
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }

                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }

                writer.WriteEndArray();
                break;
            case JsonValueKind.Undefined:
                writer.WriteNullValue();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
