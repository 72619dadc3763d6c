using System.Text.Json;
using System.Text.RegularExpressions;
using Nectr.Configuration;
using Nectr.Context;

namespace Nectr.McpClient;

/// <summary>
/// How a tool of a configured server serves a review: its role (from the settings file's override, else its name and,
/// for the ambiguous <c>search_issues</c>, the server's kind and the tool's input schema) and which of its arguments
/// take the query text, a file path and a result limit. A tool whose required arguments Nectr cannot fill has no plan.
/// </summary>
internal sealed record McpToolPlan(string Tool, McpRole Role, string? QueryArgument, string? PathArgument, string? LimitArgument)
{
    /// <summary>How many results a call asks for when the tool takes a limit: enough to judge, little to read.</summary>
    public const int Limit = 5;

    public Dictionary<string, object?> Arguments(string? query, string? path)
    {
        var arguments = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (PathArgument is not null && path is not null)
        {
            arguments[PathArgument] = path;
        }

        if (QueryArgument is not null && (query ?? path) is { } text)
        {
            arguments[QueryArgument] = text;
        }

        if (LimitArgument is not null)
        {
            arguments[LimitArgument] = Limit;
        }

        return arguments;
    }
}

internal static partial class McpRoles
{
    private static readonly string[] QueryNames = ["query", "naturalLanguageQuery", "search_query", "searchQuery", "q", "search", "text", "term", "keywords"];
    private static readonly string[] PathNames = ["filename", "fileName", "file", "file_path", "filePath", "path"];
    private static readonly string[] LimitNames = ["limit", "first", "max_results", "maxResults", "count", "per_page", "perPage"];

    // Sentry's search_issues asks for these; Linear's and GitHub's never do.
    private static readonly string[] SentryHints = ["naturalLanguageQuery", "organizationSlug", "projectSlug", "regionUrl"];

    public static McpRole? Parse(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "tracker" => McpRole.Tracker,
        "errors" => McpRole.Errors,
        "discussion" => McpRole.Discussion,
        _ => null,
    };

    public static string Name(McpRole role) => role switch
    {
        McpRole.Tracker => "tracker",
        McpRole.Errors => "errors",
        _ => "discussion",
    };

    /// <summary>The plan for <paramref name="tool"/>, or null when it serves no role or cannot be called with what Nectr knows.</summary>
    public static McpToolPlan? Plan(McpServerSettings server, string tool, JsonElement inputSchema)
    {
        var properties = Properties(inputSchema);
        var role = server.Roles.TryGetValue(tool, out var chosen) ? chosen : RoleByName(server.Kind, tool, properties);
        if (role is not { } found)
        {
            return null;
        }

        var query = QueryNames.FirstOrDefault(n => properties.TryGetValue(n, out var type) && type is "string" or null);
        if (query is null && server.Roles.ContainsKey(tool))
        {
            // A tool the operator chose by name takes the text in its one string argument, whatever it is called.
            var strings = properties.Where(p => p.Value == "string").Select(p => p.Key).ToList();
            query = strings.Count == 1 ? strings[0] : null;
        }

        var path = found == McpRole.Errors ? PathNames.FirstOrDefault(n => properties.TryGetValue(n, out var type) && type is "string" or null) : null;
        var limit = LimitNames.FirstOrDefault(n => properties.TryGetValue(n, out var type) && type is "integer" or "number");
        if (query is null && path is null)
        {
            return null;
        }

        var filled = new HashSet<string?>([query, path, limit], StringComparer.Ordinal);
        return Required(inputSchema).All(filled.Contains) ? new McpToolPlan(tool, found, query, path, limit) : null;
    }

    /// <summary>
    /// Which of a role's tools is called first (lower first): a file's errors before a search, and Sentry's
    /// <c>search_events</c> last, since its natural-language query needs the Sentry server's own AI provider.
    /// </summary>
    public static int Preference(string tool) => tool.ToLowerInvariant() switch
    {
        "find_errors_in_file" => 0,
        "search_events" => 2,
        _ => 1,
    };

    private static McpRole? RoleByName(McpServerKind kind, string tool, Dictionary<string, string?> properties)
    {
        var name = tool.ToLowerInvariant();
        return name switch
        {
            "search_issues" => kind switch
            {
                McpServerKind.Sentry => McpRole.Errors,
                McpServerKind.Linear or McpServerKind.GitHub => McpRole.Tracker,
                McpServerKind.Slack => null,
                _ => SentryHints.Any(properties.ContainsKey) ? McpRole.Errors : McpRole.Tracker,
            },
            "list_issues" or "search_tasks" => kind is McpServerKind.Sentry or McpServerKind.Slack ? null : McpRole.Tracker,
            "search_errors" or "find_errors" or "find_errors_in_file" or "search_events" => McpRole.Errors,
            "conversations_search_messages" or "search_messages" or "slack_search_messages" => McpRole.Discussion,
            _ => null,
        };
    }

    /// <summary>Each top-level property of an object schema with its JSON type (null when the schema does not say).</summary>
    private static Dictionary<string, string?> Properties(JsonElement schema)
    {
        var properties = new Dictionary<string, string?>(StringComparer.Ordinal);
        if (schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("properties", out var list) && list.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in list.EnumerateObject())
            {
                properties[property.Name] = property.Value.ValueKind == JsonValueKind.Object && property.Value.TryGetProperty("type", out var type) && type.ValueKind == JsonValueKind.String
                    ? type.GetString()
                    : null;
            }
        }

        return properties;
    }

    private static IEnumerable<string> Required(JsonElement schema) =>
        schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("required", out var required) && required.ValueKind == JsonValueKind.Array
            ? required.EnumerateArray().Where(r => r.ValueKind == JsonValueKind.String).Select(r => r.GetString()!)
            : [];

    /// <summary>Task ids such as ABC-123 named by the pull request (Linear's and Jira's style), at most three.</summary>
    public static IReadOnlyList<string> TaskIds(ReviewSubject subject) =>
        [.. TaskId().Matches(subject.Title + "\n" + subject.Body).Select(m => m.Value).Distinct(StringComparer.Ordinal).Take(3)];

    /// <summary>What the pull request is about, as a tracker or a chat search reads it: its task ids, else its title.</summary>
    public static string SubjectQuery(ReviewSubject subject)
    {
        var ids = TaskIds(subject);
        var text = ids.Count > 0 ? string.Join(' ', ids) : subject.Title.Trim();
        return text.Length <= 200 ? text : text[..200];
    }

    /// <summary>The changed file most worth asking an error tracker about: the first that is not a test, doc or lock file.</summary>
    public static string? ErrorPath(ReviewSubject subject) =>
        subject.Paths.FirstOrDefault(p => !NotCode().IsMatch(p)) ?? (subject.Paths.Count > 0 ? subject.Paths[0] : null);

    [GeneratedRegex(@"\b[A-Z][A-Z0-9]{1,9}-[0-9]{1,6}\b")]
    private static partial Regex TaskId();

    [GeneratedRegex(@"(^|/)(tests?|spec|docs?)/|\.(md|txt|lock|json|ya?ml)$|(^|/)[^/]*(test|spec)[^/]*$", RegexOptions.IgnoreCase)]
    private static partial Regex NotCode();
}
