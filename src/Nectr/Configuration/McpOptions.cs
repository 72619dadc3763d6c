using System.Text.Json;
using Nectr.McpClient;

namespace Nectr.Configuration;

/// <summary>
/// The MCP servers a review asks for context (Linear, Sentry, Slack from their variables, any others from the
/// <c>MCP_SERVERS_FILE</c>), and the bounds of every call: time, result size, calls per review, and whether a server
/// may live on a private address. Tokens are kept here and in the HTTP layer only (<see cref="McpServerSettings.Token"/>).
/// </summary>
internal sealed class McpOptions
{
    internal static readonly UrlSetting LinearUrlSetting = new("LINEAR_MCP_URL", null);
    internal static readonly UrlSetting SentryUrlSetting = new("SENTRY_MCP_URL", null);
    internal static readonly UrlSetting SlackUrlSetting = new("SLACK_MCP_URL", null);
    internal static readonly BoolSetting AllowPrivateSetting = new("MCP_ALLOW_PRIVATE", false);
    internal static readonly SecondsSetting CallTimeoutSetting = new("MCP_CALL_TIMEOUT_SECONDS", 10, 1, 120);
    internal static readonly IntSetting ResultBytesSetting = new("MCP_RESULT_BYTES", 16_384, 1_024, 262_144);
    internal static readonly IntSetting CallsPerReviewSetting = new("MCP_CALLS_PER_REVIEW", 6, 0, 50);

    [ConfigurationKeyName("LINEAR_MCP_URL")] public string? LinearUrlText { get; set; }
    [ConfigurationKeyName("LINEAR_API_KEY")] public string? LinearToken { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("SENTRY_MCP_URL")] public string? SentryUrlText { get; set; }
    [ConfigurationKeyName("SENTRY_AUTH_TOKEN")] public string? SentryToken { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("SLACK_MCP_URL")] public string? SlackUrlText { get; set; }
    [ConfigurationKeyName("SLACK_BOT_TOKEN")] public string? SlackToken { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("MCP_SERVERS_FILE")] public string? ServersFile { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("MCP_ALLOW_PRIVATE")] public string? AllowPrivateText { get; set; }
    [ConfigurationKeyName("MCP_CALL_TIMEOUT_SECONDS")] public string? CallTimeoutText { get; set; }
    [ConfigurationKeyName("MCP_RESULT_BYTES")] public string? ResultBytesText { get; set; }
    [ConfigurationKeyName("MCP_CALLS_PER_REVIEW")] public string? CallsPerReviewText { get; set; }

    /// <summary>Reads a variable named by a server's <c>token_env</c> (the configuration, so .env counts too); set on registration.</summary>
    internal Func<string, string?> Variable { get; set; } = _ => null;

    /// <summary>Whether a server may be reached on a loopback, private, link-local or otherwise internal address.</summary>
    public bool AllowPrivate => AllowPrivateSetting.Read(AllowPrivateText);

    /// <summary>Wall time of one connect (handshake and tool list) and of each tool call.</summary>
    public TimeSpan CallTimeout => CallTimeoutSetting.Read(CallTimeoutText);

    /// <summary>UTF-8 bytes of one tool result as a review sees it; longer text is cut and says so.</summary>
    public int ResultBytes => ResultBytesSetting.Read(ResultBytesText);

    /// <summary>Tool calls of one review, the context's and the model's together.</summary>
    public int CallsPerReview => CallsPerReviewSetting.Read(CallsPerReviewText);

    /// <summary>Every configured server; empty when none is (the review then has no MCP context and no gap).</summary>
    public IReadOnlyList<McpServerSettings> Servers => field ??= Read([]);

    internal IReadOnlyList<McpServerSettings> Read(List<string> errors)
    {
        var servers = new List<McpServerSettings>();
        Known(servers, errors, "Linear", McpServerKind.Linear, LinearUrlSetting, LinearUrlText, "LINEAR_API_KEY", LinearToken);
        Known(servers, errors, "Sentry", McpServerKind.Sentry, SentryUrlSetting, SentryUrlText, "SENTRY_AUTH_TOKEN", SentryToken);
        Known(servers, errors, "Slack", McpServerKind.Slack, SlackUrlSetting, SlackUrlText, "SLACK_BOT_TOKEN", SlackToken);
        if (ServersFile is { } file)
        {
            servers.AddRange(McpServersFile.Read(file, Variable, AllowPrivate, errors));
        }

        foreach (var duplicate in servers.GroupBy(s => s.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            errors.Add($"MCP server name '{duplicate.Key}' is used twice: give each server in {ServersFile ?? "MCP_SERVERS_FILE"} its own name.");
        }

        return servers;
    }

    private void Known(List<McpServerSettings> servers, List<string> errors, string name, McpServerKind kind, UrlSetting url, string? urlText, string tokenKey, string? token)
    {
        url.Check(urlText, errors);
        if (Setting.Text(urlText) is null)
        {
            if (token is not null)
            {
                errors.Add($"{tokenKey} is set but {url.Key} is not: set {url.Key} to {name}'s MCP server (its token is sent to that server only).");
            }

            return;
        }

        if (url.Read(urlText) is not { } endpoint)
        {
            return;
        }

        if (token is not null && endpoint.Scheme != Uri.UriSchemeHttps && !AllowPrivate)
        {
            errors.Add($"{url.Key} must be an https URL: {tokenKey} would be sent in clear text (http is allowed only with MCP_ALLOW_PRIVATE=true, for a server on this machine or network).");
            return;
        }

        // UrlSetting adds a trailing slash for relative paths; an MCP endpoint is used as written.
        servers.Add(new McpServerSettings(name, kind, new Uri(Setting.Text(urlText)!), null, [], token, new Dictionary<string, McpRole>()));
    }
}

internal sealed class McpOptionsValidator : OptionsValidator<McpOptions>
{
    protected override void Check(McpOptions options, List<string> errors)
    {
        McpOptions.AllowPrivateSetting.Check(options.AllowPrivateText, errors);
        McpOptions.CallTimeoutSetting.Check(options.CallTimeoutText, errors);
        McpOptions.ResultBytesSetting.Check(options.ResultBytesText, errors);
        McpOptions.CallsPerReviewSetting.Check(options.CallsPerReviewText, errors);
        options.Read(errors);
    }
}

/// <summary>Which service a server is, for telling its tools apart (Sentry's and Linear's <c>search_issues</c>).</summary>
internal enum McpServerKind
{
    Other,
    Linear,
    Sentry,
    Slack,
    GitHub,
}

/// <summary>
/// One configured MCP server: over HTTP (<see cref="Url"/>, with its <see cref="Token"/> as a bearer token) or a
/// local process over stdio (<see cref="Command"/> and <see cref="Args"/>). <see cref="Roles"/> overrides the role
/// a tool is given by its name and schema. <see cref="ToString"/> never shows the token.
/// </summary>
internal sealed record McpServerSettings(
    string Name,
    McpServerKind Kind,
    Uri? Url,
    string? Command,
    IReadOnlyList<string> Args,
    string? Token,
    IReadOnlyDictionary<string, McpRole> Roles)
{
    /// <summary>Where the server is, as Settings shows it: the URL without credentials or query, or the command.</summary>
    public string Endpoint => Url is { } url
        ? url.GetLeftPart(UriPartial.Path)
        : string.Join(' ', [Command!, .. Args]);

    public override string ToString() => $"{Name} ({Endpoint})";

    /// <summary>The kind a server's name suggests, for servers of the settings file.</summary>
    public static McpServerKind KindOf(string name) =>
        name.Contains("sentry", StringComparison.OrdinalIgnoreCase) ? McpServerKind.Sentry
        : name.Contains("linear", StringComparison.OrdinalIgnoreCase) ? McpServerKind.Linear
        : name.Contains("slack", StringComparison.OrdinalIgnoreCase) ? McpServerKind.Slack
        : name.Contains("github", StringComparison.OrdinalIgnoreCase) ? McpServerKind.GitHub
        : McpServerKind.Other;
}

/// <summary>
/// Reads <c>MCP_SERVERS_FILE</c>: <c>{"servers": [{"name", "url" | "command" + "args", "token" | "token_env", "roles"}]}</c>.
/// Every problem is an error that names the file, the server and the fix; a token's value is never quoted.
/// </summary>
internal static class McpServersFile
{
    public static IReadOnlyList<McpServerSettings> Read(string path, Func<string, string?> variable, bool allowPrivate, List<string> errors)
    {
        JsonDocument document;
        try
        {
            using var stream = File.OpenRead(path);
            document = JsonDocument.Parse(stream, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            errors.Add($"MCP_SERVERS_FILE '{path}' cannot be read ({ex.GetType().Name}): point it at a readable JSON file.");
            return [];
        }
        catch (JsonException ex)
        {
            errors.Add($"MCP_SERVERS_FILE '{path}' is not valid JSON (line {ex.LineNumber + 1}): it must be {{\"servers\": [{{\"name\": …, \"url\": …}}]}}.");
            return [];
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("servers", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                errors.Add($"MCP_SERVERS_FILE '{path}' must hold an object with a \"servers\" array.");
                return [];
            }

            var servers = new List<McpServerSettings>();
            var index = 0;
            foreach (var entry in list.EnumerateArray())
            {
                index++;
                if (Server(path, index, entry, variable, allowPrivate, errors) is { } server)
                {
                    servers.Add(server);
                }
            }

            return servers;
        }
    }

    private static McpServerSettings? Server(string path, int index, JsonElement entry, Func<string, string?> variable, bool allowPrivate, List<string> errors)
    {
        var name = Text(entry, "name");
        var where = $"MCP_SERVERS_FILE '{path}', server {index}" + (name is null ? "" : $" ('{name}')");
        if (entry.ValueKind != JsonValueKind.Object || name is null)
        {
            errors.Add($"{where} needs a \"name\".");
            return null;
        }

        var url = Text(entry, "url");
        var command = Text(entry, "command");
        if ((url is null) == (command is null))
        {
            errors.Add($"{where} needs either a \"url\" (HTTP) or a \"command\" with \"args\" (stdio), not both or neither.");
            return null;
        }

        var token = Text(entry, "token");
        if (Text(entry, "token_env") is { } tokenEnv)
        {
            token = Setting.Text(variable(tokenEnv));
            if (token is null)
            {
                errors.Add($"{where} reads its token from {tokenEnv}, which is not set: set {tokenEnv} or remove \"token_env\".");
                return null;
            }
        }

        Uri? endpoint = null;
        if (url is not null)
        {
            if (!Uri.TryCreate(url, UriKind.Absolute, out endpoint) || (endpoint.Scheme != Uri.UriSchemeHttps && endpoint.Scheme != Uri.UriSchemeHttp) || endpoint.UserInfo.Length > 0)
            {
                errors.Add($"{where} has a \"url\" that is not an absolute http(s) URL without credentials.");
                return null;
            }

            if (token is not null && endpoint.Scheme != Uri.UriSchemeHttps && !allowPrivate)
            {
                errors.Add($"{where} must use an https URL: its token would be sent in clear text (http is allowed only with MCP_ALLOW_PRIVATE=true).");
                return null;
            }
        }
        else if (token is not null)
        {
            errors.Add($"{where} runs a command, which takes no token: a token is sent as an HTTP bearer token, so give the command its credentials in its own environment.");
            return null;
        }

        var args = new List<string>();
        if (entry.TryGetProperty("args", out var argList))
        {
            if (argList.ValueKind != JsonValueKind.Array || argList.EnumerateArray().Any(a => a.ValueKind != JsonValueKind.String))
            {
                errors.Add($"{where} has \"args\" that are not an array of strings.");
                return null;
            }

            args.AddRange(argList.EnumerateArray().Select(a => a.GetString()!));
        }

        var roles = new Dictionary<string, McpRole>(StringComparer.Ordinal);
        if (entry.TryGetProperty("roles", out var roleMap))
        {
            if (roleMap.ValueKind != JsonValueKind.Object)
            {
                errors.Add($"{where} has \"roles\" that is not an object of tool name → tracker, errors or discussion.");
                return null;
            }

            foreach (var role in roleMap.EnumerateObject())
            {
                if (McpRoles.Parse(role.Value.ValueKind == JsonValueKind.String ? role.Value.GetString() : null) is not { } parsed)
                {
                    errors.Add($"{where} gives tool '{role.Name}' an unknown role: use tracker, errors or discussion.");
                    return null;
                }

                roles[role.Name] = parsed;
            }
        }

        return new McpServerSettings(name, McpServerSettings.KindOf(name), endpoint, command, args, token, roles);
    }

    private static string? Text(JsonElement entry, string property) =>
        entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? Setting.Text(value.GetString())
            : null;
}
