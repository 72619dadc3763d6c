using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ModelContextProtocol.Protocol;

namespace Nectr.Tests.Infrastructure.FakeMcp;

/// <summary>One tool of a fake MCP server: its definition as the real server gives it, and what it answers.</summary>
/// <param name="Name">The real server's tool name.</param>
/// <param name="Description">The real server's description (a test may change it later, as a rug pull would).</param>
/// <param name="InputSchema">The real server's JSON Schema of the arguments.</param>
/// <param name="Answer">The text it answers a valid call with; null for a tool Nectr must never call (a write tool).</param>
public sealed record FakeMcpTool(string Name, string Description, string InputSchema, Func<IReadOnlyDictionary<string, JsonElement>, string>? Answer);

/// <summary>One tools/call a fake MCP server received.</summary>
public sealed record FakeMcpCall(string Tool, IReadOnlyDictionary<string, JsonElement> Arguments);

/// <summary>
/// An MCP server on 127.0.0.1 (random port) built with the official C# SDK over Streamable HTTP, standing in for a
/// hosted server (Linear, Sentry, Slack) at the network edge. Every request needs its bearer token (401 with
/// <c>WWW-Authenticate: Bearer</c> otherwise); it records each call and every Authorization header it saw, checks
/// each call's arguments against the tool's own schema, and records as unexpected a call of a tool Nectr must not
/// use, of an unknown tool, or with arguments the real server would refuse. <see cref="Hang"/> makes every request
/// wait until the caller gives up or the fake stops: a server that is up but never answers.
/// </summary>
public sealed class FakeMcpServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, FakeMcpTool> _tools;
    private readonly ConcurrentQueue<FakeMcpCall> _calls = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly ConcurrentQueue<string> _authorizations = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly byte[] _expectedAuthorization;

    private FakeMcpServer(WebApplication app, string name, string token, IEnumerable<FakeMcpTool> tools)
    {
        _app = app;
        Name = name;
        Token = token;
        _expectedAuthorization = Encoding.UTF8.GetBytes("Bearer " + token);
        _tools = new(tools.ToDictionary(t => t.Name, StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public string Name { get; }

    public string Token { get; }

    /// <summary>The endpoint to configure (Streamable HTTP), e.g. http://127.0.0.1:41234/mcp.</summary>
    public Uri Url { get; private set; } = null!;

    /// <summary>When set, every request is held unanswered until the client gives up or the fake stops.</summary>
    public bool Hang { get; set; }

    public IReadOnlyList<FakeMcpCall> Calls => [.. _calls];

    public IReadOnlyList<string> UnexpectedCalls => [.. _unexpected];

    /// <summary>Every Authorization header value received (empty string when there was none), in order.</summary>
    public IReadOnlyList<string> Authorizations => [.. _authorizations];

    public static async Task<FakeMcpServer> StartAsync(string name, string token, string path, IEnumerable<FakeMcpTool> tools)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        FakeMcpServer? fake = null;
        builder.Services.AddMcpServer(o => o.ServerInfo = new Implementation { Name = name, Version = "1.0.0" })
            .WithHttpTransport(o => o.Stateless = true)
            .WithListToolsHandler((_, _) => ValueTask.FromResult(fake!.ListTools()))
            .WithCallToolHandler((context, _) => ValueTask.FromResult(fake!.Call(context.Params!)));
        var app = builder.Build();
        fake = new FakeMcpServer(app, name, token, tools);
        app.Use(fake.GuardAsync);
        app.MapMcp(path);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        fake.Url = new Uri(address.TrimEnd('/') + path);
        return fake;
    }

    /// <summary>The server now describes <paramref name="tool"/> differently (a rug pull after first use).</summary>
    public void Redescribe(string tool, string description) =>
        _tools[tool] = _tools[tool] with { Description = description };

    public IReadOnlyList<FakeMcpCall> CallsOf(string tool) => [.. _calls.Where(c => c.Tool == tool)];

    public void AssertNoUnexpectedCalls()
    {
        if (!_unexpected.IsEmpty)
        {
            Assert.Fail($"The fake {Name} MCP server received calls it did not expect:\n" + string.Join('\n', _unexpected));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        using var bounded = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(bounded.Token);
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private async Task GuardAsync(HttpContext context, RequestDelegate next)
    {
        var authorization = context.Request.Headers.Authorization.ToString();
        _authorizations.Enqueue(authorization);
        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(authorization), _expectedAuthorization))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return;
        }

        if (Hang)
        {
            using var either = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
            await Task.Delay(Timeout.Infinite, either.Token).ContinueWith(_ => { }, TaskScheduler.Default);
            return;
        }

        await next(context);
    }

    private ListToolsResult ListTools() => new()
    {
        Tools = [.. _tools.Values.OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new Tool
        {
            Name = t.Name,
            Description = t.Description,
            InputSchema = JsonElement.Parse(t.InputSchema),
        })],
    };

    private CallToolResult Call(CallToolRequestParams call)
    {
        var arguments = call.Arguments is null
            ? new Dictionary<string, JsonElement>()
            : new Dictionary<string, JsonElement>(call.Arguments, StringComparer.Ordinal);
        _calls.Enqueue(new FakeMcpCall(call.Name, arguments));
        if (!_tools.TryGetValue(call.Name, out var tool))
        {
            return Unexpected($"tools/call of {call.Name}, a tool this server does not have");
        }

        if (tool.Answer is null)
        {
            return Unexpected($"tools/call of {call.Name}, a tool a reviewer must never call");
        }

        if (SchemaProblem(tool.InputSchema, arguments) is { } problem)
        {
            return Unexpected($"tools/call of {call.Name} with arguments its schema refuses ({problem}): {JsonSerializer.Serialize(arguments)}");
        }

        return new CallToolResult { Content = [new TextContentBlock { Text = tool.Answer(arguments) }] };
    }

    private CallToolResult Unexpected(string what)
    {
        _unexpected.Enqueue(what);
        return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = "Error: " + what }] };
    }

    /// <summary>What the real servers check before running a tool: required arguments, no unknown ones, and each one's JSON type.</summary>
    private static string? SchemaProblem(string schema, Dictionary<string, JsonElement> arguments)
    {
        var root = JsonNode.Parse(schema)!.AsObject();
        var properties = root["properties"]?.AsObject() ?? [];
        foreach (var required in root["required"]?.AsArray() ?? [])
        {
            if (!arguments.ContainsKey((string)required!))
            {
                return $"'{required}' is required";
            }
        }

        foreach (var (name, value) in arguments)
        {
            if (properties[name] is not JsonObject property)
            {
                return $"'{name}' is not a parameter";
            }

            var type = (string?)property["type"];
            var fits = type switch
            {
                "string" => value.ValueKind == JsonValueKind.String,
                "number" => value.ValueKind == JsonValueKind.Number,
                "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
                "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
                "array" => value.ValueKind == JsonValueKind.Array,
                _ => true,
            };
            if (!fits)
            {
                return $"'{name}' must be a {type}";
            }
        }

        return null;
    }
}
