using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// MCP <c>tools/call</c> load over Streamable HTTP: each of N keep-alive connections loops one JSON-RPC POST (a
/// stateless server needs no <c>initialize</c>) with a bearer token, for a fixed time after a warm-up, and reports
/// throughput and latency percentiles. A call counts as an error unless it answers 200 with a JSON-RPC result that has
/// structured content and is not <c>isError</c> (plain JSON or one SSE <c>message</c> event: servers choose).
/// <c>--show</c> makes one call and prints its structured content, so a script can check both servers answer alike.
/// Loopback targets only; every loop is bounded by the duration and by a request cap.
/// </summary>
internal static class McpLoad
{
    public const string ProtocolVersion = "2025-06-18";

    private static readonly byte[] StructuredContent = Encoding.ASCII.GetBytes("\"structuredContent\"");
    private static readonly byte[] IsError = Encoding.ASCII.GetBytes("\"isError\":true");

    public static async Task<int> RunAsync(string[] args)
    {
        var options = McpLoadOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: mcp --url URL --token T [--tool get_recent_reviews] [--arguments '{\"limit\":20}'] [--concurrency 16] [--duration 10] [--warmup 3] [--max-requests 2000000] [--label NAME] [--show]");
            return 2;
        }

        if (!IPAddress.TryParse(options.Url.Host, out var address) ? options.Url.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            Console.Error.WriteLine($"Refusing to load {options.Url.Host}: the load driver only targets loopback.");
            return 2;
        }

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
        if (options.Show)
        {
            return await ShowAsync(http, options);
        }

        await RunPhaseAsync(http, options, options.Warmup, record: null);
        var latencies = new List<double>[options.Concurrency];
        var errors = 0;
        var watch = Stopwatch.StartNew();
        var kinds = new System.Collections.Concurrent.ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var count = await RunPhaseAsync(http, options, options.Duration, (worker, ms, error) =>
        {
            (latencies[worker] ??= new List<double>(100_000)).Add(ms);
            if (error is not null)
            {
                Interlocked.Increment(ref errors);
                kinds.AddOrUpdate(error, 1, (_, n) => n + 1);
            }
        });
        var elapsed = watch.Elapsed.TotalSeconds;

        var all = latencies.Where(l => l is not null).SelectMany(l => l).Order().ToArray();
        double P(double q) => all.Length == 0 ? 0 : all[Math.Min(all.Length - 1, (int)Math.Ceiling(q * all.Length) - 1)];
        var result = new
        {
            label = options.Label,
            concurrency = options.Concurrency,
            requests = count,
            errors,
            throughput_rps = Math.Round(count / elapsed, 1),
            p50_ms = Math.Round(P(0.50), 2),
            p90_ms = Math.Round(P(0.90), 2),
            p99_ms = Math.Round(P(0.99), 2),
            max_ms = Math.Round(all.Length == 0 ? 0 : all[^1], 2),
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.label,-24} c={result.concurrency,-3} {result.requests,8} req  {result.errors,5} err  {result.throughput_rps,9:F1} req/s  p50 {result.p50_ms,7:F2} ms  p90 {result.p90_ms,7:F2} ms  p99 {result.p99_ms,7:F2} ms  max {result.max_ms,8:F2} ms"));
        foreach (var (kind, n) in kinds.OrderByDescending(k => k.Value))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  errors: {n} × {kind}"));
        }

        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<int> ShowAsync(HttpClient http, McpLoadOptions options)
    {
        using var response = await http.SendAsync(Build(options, 1), CancellationToken.None);
        var text = await response.Content.ReadAsStringAsync();
        var message = JsonRpcMessage(response.Content.Headers.ContentType?.MediaType, text);
        if (!response.IsSuccessStatusCode || message?["result"]?["structuredContent"] is not { } structured)
        {
            Console.Error.WriteLine($"{(int)response.StatusCode}: {text[..Math.Min(text.Length, 2_000)]}");
            return 1;
        }

        Console.WriteLine(structured.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        return 0;
    }

    /// <summary>The JSON-RPC message of a plain JSON answer, or of the first SSE <c>data:</c> line.</summary>
    private static JsonNode? JsonRpcMessage(string? mediaType, string text)
    {
        if (mediaType != "text/event-stream")
        {
            return JsonNode.Parse(text);
        }

        var data = text.Split('\n').FirstOrDefault(l => l.StartsWith("data:", StringComparison.Ordinal));
        return data is null ? null : JsonNode.Parse(data["data:".Length..]);
    }

    /// <summary>Runs the workers for <paramref name="duration"/>; <paramref name="record"/> gets each call's time and its error kind (null when it succeeded).</summary>
    private static async Task<int> RunPhaseAsync(HttpClient http, McpLoadOptions options, TimeSpan duration, Action<int, double, string?>? record)
    {
        if (duration <= TimeSpan.Zero)
        {
            return 0;
        }

        var sent = 0;
        var completed = 0;
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            int id;
            while (!stop.IsCancellationRequested && (id = Interlocked.Increment(ref sent)) <= options.MaxRequests)
            {
                using var request = Build(options, id);
                var started = Stopwatch.GetTimestamp();
                string? error;
                try
                {
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    var body = await response.Content.ReadAsByteArrayAsync(CancellationToken.None);
                    error = response.StatusCode != HttpStatusCode.OK ? "HTTP " + ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture)
                        : body.AsSpan().IndexOf(IsError) >= 0 ? "tool error"
                        : body.AsSpan().IndexOf(StructuredContent) < 0 ? "no structured content: " + Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 200)))
                        : null;
                }
                catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
                {
                    error = e.GetType().Name + ": " + e.Message;
                }

                Interlocked.Increment(ref completed);
                record?.Invoke(worker, Stopwatch.GetElapsedTime(started).TotalMilliseconds, error);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return completed;
    }

    private static HttpRequestMessage Build(McpLoadOptions options, int id)
    {
        var body = string.Concat(
            """{"jsonrpc":"2.0","id":""", id.ToString(CultureInfo.InvariantCulture), ""","method":"tools/call","params":{"name":""",
            JsonSerializer.Serialize(options.Tool), ""","arguments":""", options.Arguments, "}}");
        var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new StringContent(body, Encoding.UTF8) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Accept.ParseAdd("text/event-stream");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.Token);
        request.Headers.TryAddWithoutValidation("MCP-Protocol-Version", ProtocolVersion);
        return request;
    }
}

internal sealed record McpLoadOptions(Uri Url, string Token, string Tool, string Arguments, int Concurrency, TimeSpan Duration, TimeSpan Warmup, int MaxRequests, string Label, bool Show)
{
    public static McpLoadOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var show = false;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--show")
            {
                show = true;
            }
            else if (args[i].StartsWith("--", StringComparison.Ordinal) && i + 1 < args.Length)
            {
                values[args[i]] = args[++i];
            }
            else
            {
                return null;
            }
        }

        if (!values.TryGetValue("--url", out var url) || !values.TryGetValue("--token", out var token))
        {
            return null;
        }

        var arguments = values.GetValueOrDefault("--arguments", """{"limit":20}""");
        if (JsonNode.Parse(arguments) is not JsonObject)
        {
            return null;
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new McpLoadOptions(new Uri(url), token, values.GetValueOrDefault("--tool", "get_recent_reviews"), arguments, Int("--concurrency", 16),
            TimeSpan.FromSeconds(Int("--duration", 10)), TimeSpan.FromSeconds(Int("--warmup", 3)), Int("--max-requests", 2_000_000),
            values.GetValueOrDefault("--label", new Uri(url).Authority), show);
    }
}
