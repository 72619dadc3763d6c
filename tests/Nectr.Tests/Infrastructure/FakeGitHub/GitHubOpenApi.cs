using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Json.Schema;
using Microsoft.AspNetCore.WebUtilities;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// Checks a request against GitHub's own OpenAPI description (Fixtures/rest/openapi.requests.json, extracted from
/// npm @octokit/openapi by extract.mjs there): the method and path must name a documented operation, the query
/// parameters must be the operation's and fit their schemas (per_page at most 100, …), and a JSON body must fit the
/// operation's request-body schema. Loaded once per process; schemas are compiled on first use.
/// </summary>
internal static class GitHubOpenApi
{
    private static readonly Lazy<Dictionary<int, List<Operation>>> BySegmentCount = new(Load);
    private static readonly ConcurrentDictionary<string, Lazy<JsonSchema>> Compiled = new(StringComparer.Ordinal);
    private static readonly EvaluationOptions Evaluation = new() { OutputFormat = OutputFormat.List };

    /// <summary>Null when GitHub would accept the request as described; otherwise the status GitHub answers and why.</summary>
    public static OpenApiRefusal? Check(string method, string path, string query, string body)
    {
        var segments = path.Trim('/').Split('/');
        var candidates = BySegmentCount.Value.GetValueOrDefault(segments.Length, []).Where(o => o.Matches(segments))
            .Concat(BySegmentCount.Value.Where(g => g.Key < segments.Length).SelectMany(g => g.Value).Where(o => o.TakesRestOfPath && o.Matches(segments)))
            .ToList();
        if (candidates.Count == 0)
        {
            return new OpenApiRefusal(404, null, [$"{method} {path} is not in GitHub's REST API: no documented path matches"]);
        }

        // A literal segment beats a parameter where two templates match (/user/repos, not /user/{account_id}).
        var operation = candidates.Where(o => o.Method == method).OrderBy(o => o.Rank).FirstOrDefault();
        if (operation is null)
        {
            var documented = string.Join(", ", candidates.Select(o => o.Method).Distinct());
            return new OpenApiRefusal(404, null, [$"{method} {path} is not in GitHub's REST API: {candidates[0].Path} is documented for {documented} only"]);
        }

        var pathProblems = CheckPath(operation, segments);
        if (pathProblems.Count > 0)
        {
            return new OpenApiRefusal(404, operation, pathProblems);
        }

        var problems = CheckQuery(operation, query);
        problems.AddRange(CheckBody(operation, body, out var status));
        return problems.Count == 0 ? null : new OpenApiRefusal(status, operation, problems);
    }

    private static List<string> CheckPath(Operation operation, string[] segments)
    {
        var problems = new List<string>();
        foreach (var (name, schema) in operation.PathParams)
        {
            var at = operation.SegmentOf(name);
            var value = Uri.UnescapeDataString(operation.TakesRestOfPath && at == operation.SegmentCount - 1 ? string.Join('/', segments[at..]) : segments[at]);
            problems.AddRange(Validate($"{operation.Id}#path/{name}", schema, ParameterValue(value, schema), $"path parameter {name}"));
        }

        return problems;
    }

    private static List<string> CheckQuery(Operation operation, string query)
    {
        var problems = new List<string>();
        var values = QueryHelpers.ParseQuery(query);
        foreach (var (name, given) in values)
        {
            if (!operation.Query.TryGetValue(name, out var schema))
            {
                problems.Add($"query parameter '{name}' is not one of {operation.Id}'s ({string.Join(", ", operation.Query.Keys)})");
                continue;
            }

            JsonNode? instance = schema["type"]?.ToString() == "array"
                ? new JsonArray([.. given.Select(v => ParameterValue(v ?? "", schema["items"] ?? new JsonObject()))])
                : given.Count == 1 ? ParameterValue(given[0] ?? "", schema) : null;
            problems.AddRange(instance is null
                ? [$"query parameter '{name}' is given {given.Count} times"]
                : Validate($"{operation.Id}#query/{name}", schema, instance, $"query parameter '{name}'"));
        }

        problems.AddRange(operation.RequiredQuery.Where(r => !values.ContainsKey(r)).Select(r => $"required query parameter '{r}' is missing"));
        return problems;
    }

    private static List<string> CheckBody(Operation operation, string body, out int status)
    {
        status = 422;
        var empty = string.IsNullOrWhiteSpace(body);
        switch (operation.Body)
        {
            case null:
                return empty ? [] : [$"{operation.Id} takes no request body, but one was sent"];
            case JsonValue:
                // The operation takes a body, but its schema was not extracted: list it in extract.mjs's withBody.
                return empty ? [] : [$"{operation.Id} takes a body whose schema is not in openapi.requests.json; add it to withBody in extract.mjs and regenerate"];
            default:
                break;
        }

        if (empty)
        {
            return (bool?)operation.Body["required"] == true ? [$"{operation.Id} requires a JSON body"] : [];
        }

        JsonNode? instance;
        try
        {
            instance = JsonNode.Parse(body);
        }
        catch (JsonException ex)
        {
            status = 400;
            return [$"Problems parsing JSON: {ex.Message}"];
        }

        return Validate($"{operation.Id}#body", operation.Body["schema"]!, instance, "body");
    }

    /// <summary>A query or path value is text; read it as the JSON value the schema asks for, so "abc" fails an integer.</summary>
    private static JsonValue ParameterValue(string value, JsonNode schema)
    {
        var types = TypesOf(schema);
        if ((types.Contains("integer") || types.Contains("number"))
            && decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return JsonValue.Create(number);
        }

        return types.Contains("boolean") && value is "true" or "false" ? JsonValue.Create(value == "true") : JsonValue.Create(value);
    }

    private static HashSet<string> TypesOf(JsonNode schema)
    {
        var types = new HashSet<string>(StringComparer.Ordinal);
        switch (schema["type"])
        {
            case JsonArray array:
                types.UnionWith(array.Select(t => t!.ToString()));
                break;
            case JsonValue single:
                types.Add(single.ToString());
                break;
            default:
                break;
        }

        foreach (var key in new[] { "oneOf", "anyOf", "allOf" })
        {
            foreach (var inner in schema[key]?.AsArray() ?? [])
            {
                types.UnionWith(TypesOf(inner!));
            }
        }

        return types;
    }

    private static List<string> Validate(string key, JsonNode schema, JsonNode? instance, string what)
    {
        var compiled = Compiled.GetOrAdd(key, k => new Lazy<JsonSchema>(() => JsonSchema.Build(
            JsonSerializer.SerializeToElement(schema),
            new BuildOptions { SchemaRegistry = new SchemaRegistry() },
            new Uri("https://openapi.nectr.test/" + Uri.EscapeDataString(k))))).Value;
        var results = compiled.Evaluate(JsonSerializer.SerializeToElement(instance), Evaluation);
        if (results.IsValid)
        {
            return [];
        }

        var errors = new[] { results }.Concat(results.Details ?? [])
            .Where(d => d.Errors is { Count: > 0 })
            .SelectMany(d => d.Errors!.Select(e => $"{what}{At(d.InstanceLocation.ToString())}: {e.Value} (schema {d.EvaluationPath}/{e.Key})"))
            .ToList();
        return errors.Count > 0 ? errors : [$"{what} does not fit GitHub's schema"];
    }

    private static string At(string pointer) => pointer.Length == 0 ? "" : " at " + pointer;

    private static Dictionary<int, List<Operation>> Load()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "Fixtures", "rest", "openapi.requests.json");
        var operations = JsonNode.Parse(File.ReadAllText(file))!["operations"]!.AsArray().Select(o => new Operation(o!.AsObject())).ToList();
        return operations.GroupBy(o => o.SegmentCount).ToDictionary(g => g.Key, g => g.ToList());
    }

    internal sealed class Operation
    {
        private readonly string[] _segments;

        public Operation(JsonObject json)
        {
            Id = (string)json["id"]!;
            Method = (string)json["method"]!;
            Path = (string)json["path"]!;
            _segments = Path.Trim('/').Split('/');
            Rank = string.Concat(_segments.Select(s => s.StartsWith('{') ? '1' : '0'));
            PathParams = Schemas(json["pathParams"]);
            Query = Schemas(json["query"]);
            RequiredQuery = json["required"]?.AsArray().Select(r => (string)r!).ToList() ?? [];
            Body = json["body"];
        }

        public string Id { get; }
        public string Method { get; }
        public string Path { get; }
        public int SegmentCount => _segments.Length;

        /// <summary>Sorts templates so that, position by position, a literal segment comes before a parameter.</summary>
        public string Rank { get; }

        public IReadOnlyDictionary<string, JsonNode> PathParams { get; }
        public IReadOnlyDictionary<string, JsonNode> Query { get; }
        public IReadOnlyList<string> RequiredQuery { get; }

        /// <summary>Null: takes no body; the string "not extracted": takes one whose schema was left out; else {required, schema}.</summary>
        public JsonNode? Body { get; }

        public int SegmentOf(string parameter) => Array.IndexOf(_segments, "{" + parameter + "}");

        /// <summary>
        /// A template ending in <c>{path}</c> (the contents API) takes the rest of the URL, slashes and all, as GitHub
        /// documents: <c>/repos/o/r/contents/src/app/Program.cs</c>.
        /// </summary>
        public bool TakesRestOfPath => _segments[^1] == "{path}";

        public bool Matches(string[] segments)
        {
            if (segments.Length != _segments.Length && !(TakesRestOfPath && segments.Length > _segments.Length))
            {
                return false;
            }

            for (var i = 0; i < _segments.Length; i++)
            {
                var matched = _segments[i].StartsWith('{') ? segments[i].Length > 0 : string.Equals(_segments[i], segments[i], StringComparison.Ordinal);
                if (!matched)
                {
                    return false;
                }
            }

            return true;
        }

        private static Dictionary<string, JsonNode> Schemas(JsonNode? node) =>
            node?.AsObject().ToDictionary(p => p.Key, p => p.Value!, StringComparer.Ordinal) ?? new Dictionary<string, JsonNode>(StringComparer.Ordinal);
    }
}

/// <summary>Why GitHub would refuse a request, and with which status; <see cref="Operation"/> is null for an undocumented one.</summary>
internal sealed record OpenApiRefusal(int Status, GitHubOpenApi.Operation? Operation, IReadOnlyList<string> Problems);
