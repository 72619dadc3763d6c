using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Nectr.RepoConfig;

/// <summary>What reading <c>.nectr.yml</c> gave: its settings, or why it is unusable (then the defaults apply).</summary>
internal sealed record ConfigFileResult(RepoSettings? Settings, string? Problem)
{
    public static ConfigFileResult Valid(RepoSettings settings) => new(settings, null);

    public static ConfigFileResult Invalid(string problem) => new(null, problem);
}

/// <summary>
/// Reads <c>.nectr.yml</c>: YAML (YamlDotNet) to a JSON value with YAML 1.2 core-schema scalars, checked against the
/// published JSON Schema (docs/nectr.schema.json, embedded), then mapped to <see cref="RepoSettings"/>. Problems are
/// Nectr's own short words with a line number or a JSON pointer; the file's text is never echoed beyond a few characters.
/// </summary>
internal static class NectrConfigFile
{
    public const string Path = ".nectr.yml";

    /// <summary>A larger file is reported as invalid, not read.</summary>
    public const int MaxBytes = 64 * 1024;

    /// <summary>Bounds a file of anchors and aliases that would expand to far more nodes than its size suggests.</summary>
    private const int MaxNodes = 5_000;

    private const int MaxProblemChars = 200;

    private static readonly Lazy<string> SchemaText = new(() =>
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("Nectr.RepoConfig.nectr.schema.json")
            ?? throw new InvalidOperationException("The Nectr assembly lacks the embedded nectr.schema.json.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    });

    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromText(SchemaText.Value, new BuildOptions { SchemaRegistry = new SchemaRegistry() }));

    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    /// <summary>The embedded schema's text, byte for byte as published in docs/.</summary>
    public static string SchemaJson => SchemaText.Value;

    public static ConfigFileResult Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (Encoding.UTF8.GetByteCount(text) > MaxBytes)
        {
            return ConfigFileResult.Invalid($"is larger than {MaxBytes / 1024} KB");
        }

        JsonNode? json;
        try
        {
            var stream = new YamlStream();
            stream.Load(new StringReader(text));
            if (stream.Documents.Count > 1)
            {
                return ConfigFileResult.Invalid("holds more than one YAML document");
            }

            var nodes = 0;
            json = stream.Documents.Count == 0 ? null : ToJson(stream.Documents[0].RootNode, ref nodes);
        }
        catch (YamlException ex)
        {
            return ConfigFileResult.Invalid($"is not valid YAML (line {ex.Start.Line}, column {ex.Start.Column}): {Short(ex.Message)}");
        }
        catch (InvalidOperationException)
        {
            // YamlDotNet's scanner throws this instead of a YamlException on some malformed flow collections ("[a" then EOF).
            return ConfigFileResult.Invalid("is not valid YAML (an unclosed [ or { collection)");
        }
        catch (TooLargeException)
        {
            return ConfigFileResult.Invalid($"expands to more than {MaxNodes} YAML nodes");
        }

        return Check(json);
    }

    /// <summary>Checks a settings value (the file's, or the dashboard's JSON) against the schema and maps it.</summary>
    public static ConfigFileResult Check(JsonNode? json)
    {
        var results = Schema.Value.Evaluate(JsonSerializer.SerializeToElement(json, JsonNodeContext.Default.JsonNode), Evaluation);
        if (!results.IsValid)
        {
            var first = new[] { results }.Concat(results.Details ?? [])
                .Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{Where(d.InstanceLocation.ToString())}: {Explain(d.Errors!.Values.First())}")
                .FirstOrDefault() ?? "does not match the schema";
            return ConfigFileResult.Invalid(Short(first));
        }

        if (json is null)
        {
            return ConfigFileResult.Valid(RepoSettings.Empty); // An empty file sets nothing.
        }

        var settings = json.Deserialize(RepoSettingsJsonContext.Default.RepoSettings) ?? RepoSettings.Empty;
        var badGlob = (settings.Ignore ?? []).Concat(settings.PathInstructions?.Select(p => p.Path) ?? []).Concat(settings.AutoReview?.BaseBranches ?? [])
            .Select(g => (Glob: g, Problem: Engine.RepoConfig.Glob.Problem(g))).FirstOrDefault(g => g.Problem is not null);
        return badGlob.Problem is null
            ? ConfigFileResult.Valid(settings)
            : ConfigFileResult.Invalid(Short($"the glob '{badGlob.Glob}' {badGlob.Problem}"));
    }

    // additionalProperties: false reports an unknown key as failing "the false schema", which says nothing to a person.
    private static string Explain(string error) =>
        error.Contains("false schema", StringComparison.OrdinalIgnoreCase) ? "is not a known key (see docs/nectr.schema.json)" : error;

    private static string Where(string pointer) => pointer.Length == 0 ? "the file" : $"at {pointer}";

    private static string Short(string text)
    {
        var line = string.Join(' ', text.Split((char[])['\r', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries)).Trim();
        return line.Length <= MaxProblemChars ? line : string.Concat(line.AsSpan(0, MaxProblemChars), "…");
    }

    private static JsonNode? ToJson(YamlNode node, ref int nodes)
    {
        if (++nodes > MaxNodes)
        {
            throw new TooLargeException();
        }

        switch (node)
        {
            case YamlMappingNode mapping:
                var json = new JsonObject();
                foreach (var (key, value) in mapping.Children)
                {
                    if (key is not YamlScalarNode { Value: { } name })
                    {
                        throw new YamlException(key.Start, key.End, "A key must be a plain name.");
                    }

                    json[name] = ToJson(value, ref nodes);
                }

                return json;
            case YamlSequenceNode sequence:
                var array = new JsonArray();
                foreach (var item in sequence.Children)
                {
                    array.Add(ToJson(item, ref nodes));
                }

                return array;
            case YamlScalarNode scalar:
                return Scalar(scalar);
            default:
                throw new YamlException(node.Start, node.End, "Unsupported YAML node.");
        }
    }

    /// <summary>YAML 1.2 core schema for plain scalars: null, booleans and integers; quoted scalars are always strings.</summary>
    private static JsonValue? Scalar(YamlScalarNode scalar)
    {
        var value = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            return JsonValue.Create(value);
        }

        return value switch
        {
            "" or "~" or "null" or "Null" or "NULL" => null,
            "true" or "True" or "TRUE" => JsonValue.Create(true),
            "false" or "False" or "FALSE" => JsonValue.Create(false),
            _ when long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var number) => JsonValue.Create(number),
            _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real) => JsonValue.Create(real),
            _ => JsonValue.Create(value),
        };
    }

    private sealed class TooLargeException : Exception;
}

[System.Text.Json.Serialization.JsonSerializable(typeof(JsonNode))]
internal sealed partial class JsonNodeContext : System.Text.Json.Serialization.JsonSerializerContext;
