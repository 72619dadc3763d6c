using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Nectr.Data;
using Nectr.Engine.Memory;
using Nectr.GitHub;

namespace Nectr.Memory;

/// <summary>
/// Reads and validates the JSON of <c>POST</c> and <c>PATCH /api/v1/memory</c> by hand, so every problem (a wrong JSON
/// type included, which model binding would only report as an unreadable body) is a validation error naming its field.
/// </summary>
internal static class MemoryRequests
{
    /// <summary>Room for 2,000 characters of content even if each is sent as a \uXXXX escape, and the other fields.</summary>
    public const int MaxBodyBytes = 32 * 1024;

    private static readonly string[] CreateFields = ["repo", "content", "memory_type", "developer"];
    private static readonly string[] PatchFields = ["content", "memory_type", "developer"];

    /// <summary>The body as a JSON document, or the refusal: not JSON (415), too large (413), not well-formed (400).</summary>
    public static async Task<(JsonElement Root, ProblemHttpResult? Refusal)> ReadAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (!request.HasJsonContentType())
        {
            return (default, TypedResults.Problem("Send the memory as JSON (Content-Type: application/json).",
                statusCode: StatusCodes.Status415UnsupportedMediaType, title: "JSON expected"));
        }

        var tooLarge = TypedResults.Problem($"A memory request is at most {MaxBodyBytes} bytes.", statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request too large");
        if (request.ContentLength > MaxBodyBytes)
        {
            return (default, tooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return (default, tooLarge);
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length));
            return (document.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            return (default, TypedResults.Problem($"The body is not valid JSON: {ex.Message}", statusCode: StatusCodes.Status400BadRequest, title: "Invalid JSON"));
        }
    }

    /// <summary><c>{repo, content, memory_type[, developer]}</c>, or null with every problem in <paramref name="errors"/>.</summary>
    public static MemoryDraft? ToDraft(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (Fields(root, CreateFields, errors) is not { } fields)
        {
            return null;
        }

        var repo = Required(fields, "repo", errors) is { } r ? Repo(r, errors) : null;
        var content = Required(fields, "content", errors) is { } c ? Content(c, errors) : null;
        var type = Required(fields, "memory_type", errors) is { } t ? Type(t, "memory_type", errors) : null;
        var developer = fields.TryGetValue("developer", out var d) ? Developer(d, errors) : null;
        return errors.Count == 0 ? new MemoryDraft(repo!, type!, content!, developer) : null;
    }

    /// <summary><c>{content?, memory_type?, developer?}</c> (developer null clears it), or null with every problem in <paramref name="errors"/>.</summary>
    public static MemoryPatch? ToPatch(JsonElement root, Dictionary<string, string[]> errors)
    {
        if (Fields(root, PatchFields, errors) is not { } fields)
        {
            return null;
        }

        var content = fields.TryGetValue("content", out var c) && Text(c, "content", errors) is { } text ? Content(text, errors) : null;
        var type = fields.TryGetValue("memory_type", out var t) && Text(t, "memory_type", errors) is { } name ? Type(name, "memory_type", errors) : null;
        var setsDeveloper = fields.TryGetValue("developer", out var d);
        var developer = setsDeveloper ? Developer(d, errors) : null;
        return errors.Count == 0 ? new MemoryPatch(type, content, setsDeveloper, developer) : null;
    }

    /// <summary>owner/repository as GitHub spells names; adds the error to <paramref name="errors"/> otherwise.</summary>
    public static string? Repo(string? repo, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrEmpty(repo))
        {
            errors["repo"] = ["Required: the repository as owner/repository."];
            return null;
        }

        if (!GitHubNames.IsFullName(repo))
        {
            errors["repo"] = ["Use owner/repository, as GitHub names it."];
            return null;
        }

        return repo;
    }

    /// <summary>One of the memory types, exactly as spelled; adds the error under <paramref name="field"/> otherwise.</summary>
    public static string? Type(string type, string field, Dictionary<string, string[]> errors)
    {
        if (MemoryTypes.IsKnown(type))
        {
            return type;
        }

        errors[field] = [$"Use one of: {string.Join(", ", MemoryTypes.All)}."];
        return null;
    }

    private static Dictionary<string, JsonElement>? Fields(JsonElement root, string[] known, Dictionary<string, string[]> errors)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["Send a JSON object."];
            return null;
        }

        var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        foreach (var property in root.EnumerateObject())
        {
            if (!known.Contains(property.Name, StringComparer.Ordinal))
            {
                errors[property.Name] = [$"Unknown field: use {string.Join(", ", known)}."];
            }
            else if (!fields.TryAdd(property.Name, property.Value))
            {
                errors[property.Name] = ["Given more than once."];
            }
        }

        return errors.Count == 0 ? fields : null;
    }

    private static string? Required(Dictionary<string, JsonElement> fields, string field, Dictionary<string, string[]> errors)
    {
        if (!fields.TryGetValue(field, out var value))
        {
            errors[field] = ["Required."];
            return null;
        }

        return Text(value, field, errors);
    }

    private static string? Text(JsonElement value, string field, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind != JsonValueKind.String)
        {
            errors[field] = [$"Must be a string, not {JsonKind(value.ValueKind)}."];
            return null;
        }

        try
        {
            return value.GetString();
        }
        catch (InvalidOperationException)
        {
            // An escaped lone surrogate ("\ud800"): no text at all.
            errors[field] = ["Must be valid Unicode text (a \\u escape leaves a surrogate unpaired)."];
            return null;
        }
    }

    /// <summary>
    /// Trimmed; 1 to <see cref="MemoryRecord.MaxContentLength"/> characters of text: no NUL or other control character
    /// besides tab and line breaks (PostgreSQL refuses NUL in text, and the content reaches prompts).
    /// </summary>
    public static string? Content(string raw, Dictionary<string, string[]> errors)
    {
        var content = raw.Trim();
        string? problem = null;
        if (content.Length == 0)
        {
            problem = "Must not be empty.";
        }
        else if (content.Length > MemoryRecord.MaxContentLength)
        {
            problem = $"At most {MemoryRecord.MaxContentLength} characters; this is {content.Length}.";
        }
        else if (content.Contains('\0', StringComparison.Ordinal))
        {
            problem = "Must not contain NUL characters.";
        }
        else if (Engine.PlainText.HasControlCharacter(content))
        {
            problem = "Must not contain control characters other than tabs and line breaks.";
        }

        if (problem is not null)
        {
            errors["content"] = [problem];
            return null;
        }

        return content;
    }

    /// <summary>A GitHub login typed in a form (a leading @ is dropped); empty is none.</summary>
    public static string? FormDeveloper(string? raw, Dictionary<string, string[]> errors)
    {
        var login = raw?.Trim().TrimStart('@');
        if (string.IsNullOrEmpty(login))
        {
            return null;
        }

        if (!GitHubNames.IsOwner(login))
        {
            errors["developer"] = [$"A GitHub login: letters, digits, '-' or '_', at most {GitHubNames.MaxOwnerLength} characters (or empty for none)."];
            return null;
        }

        return login;
    }

    /// <summary>A GitHub login, or JSON null for none.</summary>
    private static string? Developer(JsonElement value, Dictionary<string, string[]> errors)
    {
        if (value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (Text(value, "developer", errors) is not { } login)
        {
            return null;
        }

        if (!GitHubNames.IsOwner(login))
        {
            errors["developer"] = [$"A GitHub login: letters, digits, '-' or '_', at most {GitHubNames.MaxOwnerLength} characters (or null for none)."];
            return null;
        }

        return login;
    }

    private static string JsonKind(JsonValueKind kind) => kind switch
    {
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        JsonValueKind.Array => "an array",
        JsonValueKind.Object => "an object",
        _ => "this",
    };
}
