using System.Collections.Concurrent;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// What both fake providers share: Kestrel on 127.0.0.1, every request recorded, answers from a FIFO script or an
/// obedient <see cref="Responder"/>. A request with nothing to answer it, on an unknown route or without the key
/// is answered with an error and recorded, so <see cref="AssertNoUnexpectedCalls"/> fails the test.
/// </summary>
public abstract class FakeLlmServer : IAsyncDisposable
{
    private readonly ConcurrentQueue<RecordedLlmRequest> _requests = new();
    private readonly ConcurrentQueue<FakeLlmResponse> _script = new();
    private readonly ConcurrentQueue<string> _unexpected = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _app;

    protected FakeLlmServer(string apiKey) => ApiKey = apiKey;

    public string ApiKey { get; }

    /// <summary>The base URL to configure Nectr with (ANTHROPIC_BASE_URL or OPENAI_BASE_URL).</summary>
    public Uri BaseUrl { get; private set; } = null!;

    public IReadOnlyList<RecordedLlmRequest> Requests => [.. _requests];

    public IReadOnlyList<string> UnexpectedCalls => [.. _unexpected];

    /// <summary>The clock <see cref="RecordedLlmRequest.At"/> is read from; a test on a <c>FakeTimeProvider</c> sets it to that.</summary>
    public TimeProvider Clock { get; set; } = TimeProvider.System;

    /// <summary>Waits until the fake has received <paramref name="count"/> requests; fails the test after 30 s.</summary>
    public async Task WaitForRequestsAsync(int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (_requests.Count < count)
        {
            Assert.True(DateTime.UtcNow < deadline, $"{GetType().Name} received {_requests.Count} of {count} requests.");
            await Task.Delay(10);
        }
    }

    /// <summary>Answers requests the script does not cover with any response (a tool call, an error); before <see cref="Responder"/>.</summary>
    public Func<RecordedLlmRequest, FakeLlmResponse>? ScriptedResponder { get; set; }

    /// <summary>Answers requests the script does not cover, e.g. an obedient model for end-to-end tests.</summary>
    public Func<RecordedLlmRequest, string>? Responder { get; set; }

    /// <summary>The API path the fake serves, e.g. <c>/v1/messages</c>.</summary>
    protected abstract string Route { get; }

    public FakeLlmServer Enqueue(params FakeLlmResponse[] responses)
    {
        foreach (var response in responses)
        {
            _script.Enqueue(response);
        }

        return this;
    }

    public FakeLlmServer EnqueueAnswer(string text, int? inputTokens = null, int? outputTokens = null) =>
        Enqueue(FakeLlmResponse.Answer(text, inputTokens, outputTokens));

    public void AssertNoUnexpectedCalls()
    {
        if (!_unexpected.IsEmpty)
        {
            Assert.Fail($"The fake {GetType().Name} received calls it did not expect:\n" + string.Join('\n', _unexpected));
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        _stopping.Dispose();
        GC.SuppressFinalize(this);
    }

    protected async Task ListenAsync(string basePath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(HandleAsync);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseUrl = new Uri(address.TrimEnd('/') + basePath);
    }

    protected abstract bool Authorized(RecordedLlmRequest request);

    protected abstract JsonObject AnswerJson(RecordedLlmRequest request, string text, int inputTokens, int outputTokens, bool truncated);

    protected abstract JsonObject ErrorJson(string type, string message, string? code);

    /// <summary>An assistant turn that calls <paramref name="calls"/>, in the provider's own shape.</summary>
    protected abstract JsonObject ToolCallsJson(RecordedLlmRequest request, IReadOnlyList<(string Name, string ArgumentsJson)> calls, int inputTokens, int outputTokens);

    protected virtual void WriteAnswerHeaders(HttpResponse response)
    {
    }

    private async Task HandleAsync(HttpContext context)
    {
        var request = await RecordAsync(context);
        try
        {
            if (request.Method != "POST" || request.Path != Route)
            {
                await UnexpectedAsync(context, request, 404, "not_found_error", $"{request.Method} {request.Path} is not a route of this fake");
                return;
            }

            if (!Authorized(request))
            {
                await UnexpectedAsync(context, request, 401, "authentication_error", $"{request.Method} {request.Path} without the expected API key (headers: {string.Join(", ", request.Headers.Keys)})");
                return;
            }

            if (_script.TryDequeue(out var scripted))
            {
                await RespondAsync(context, request, scripted);
                return;
            }

            if (ScriptedResponder is { } scriptedResponder)
            {
                await RespondAsync(context, request, scriptedResponder(request));
                return;
            }

            if (Responder is { } responder)
            {
                await RespondAsync(context, request, FakeLlmResponse.Answer(responder(request)));
                return;
            }

            await UnexpectedAsync(context, request, 500, "api_error", $"{request.Method} {request.Path} with nothing scripted to answer it");
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested || context.RequestAborted.IsCancellationRequested)
        {
            // The client gave up (its deadline) or the fake is stopping: nothing to answer.
        }
    }

    private async Task RespondAsync(HttpContext context, RecordedLlmRequest request, FakeLlmResponse scripted)
    {
        var response = context.Response;
        switch (scripted)
        {
            case FakeLlmResponse.StallResponse:
                using (var linked = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token, context.RequestAborted))
                {
                    await Task.Delay(Timeout.Infinite, linked.Token);
                }

                return;
            case FakeLlmResponse.ErrorResponse error:
                foreach (var (name, value) in error.Headers)
                {
                    response.Headers[name] = value;
                }

                await WriteJsonAsync(context, request, error.Status, ErrorJson(error.Type, error.Message, error.Code));
                return;
            case FakeLlmResponse.AnswerResponse answer:
                WriteAnswerHeaders(response);
                var input = answer.InputTokens ?? Math.Max(1, request.Body.Length / 4);
                var output = answer.OutputTokens ?? Math.Max(1, answer.Text.Length / 4);
                await WriteJsonAsync(context, request, 200, AnswerJson(request, answer.Text, input, output, answer.Truncated));
                return;
            case FakeLlmResponse.ToolCallsResponse tools:
                WriteAnswerHeaders(response);
                await WriteJsonAsync(context, request, 200, ToolCallsJson(request, tools.Calls, tools.InputTokens ?? Math.Max(1, request.Body.Length / 4), tools.OutputTokens ?? 20));
                return;
            default:
                throw new InvalidOperationException("Unknown scripted response " + scripted);
        }
    }

    private async Task UnexpectedAsync(HttpContext context, RecordedLlmRequest request, int status, string type, string why)
    {
        _unexpected.Enqueue(why);
        await WriteJsonAsync(context, request, status, ErrorJson(type, why, null));
    }

    private static async Task WriteJsonAsync(HttpContext context, RecordedLlmRequest request, int status, JsonObject json)
    {
        request.Status = status;
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(json.ToJsonString());
    }

    private async Task<RecordedLlmRequest> RecordAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync();
        var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
        var recorded = new RecordedLlmRequest(context.Request.Method, context.Request.Path.Value ?? "", headers, body, Clock.GetUtcNow());
        _requests.Enqueue(recorded);
        return recorded;
    }
}
