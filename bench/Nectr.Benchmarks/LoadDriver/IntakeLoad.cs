using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// Posts signed webhook deliveries at a fixed concurrency for a fixed time and reports throughput and latency
/// percentiles. Loopback targets only; every loop is bounded by the duration and by a request cap.
/// </summary>
internal static class IntakeLoad
{
    private const string HeadPlaceholder = "ffffffffffffffffffffffffffffffffffffff00";

    public static async Task<int> RunAsync(string[] args)
    {
        var options = IntakeOptions.Parse(args);
        if (options is null)
        {
            Console.Error.WriteLine("usage: intake --url URL --secret S --payload FILE [--event pull_request] [--concurrency 64] [--duration 20] [--warmup 3] [--max-requests 2000000] [--label NAME] [--unique-head] [--random-delivery-ids] [--server-pid PID]");
            return 2;
        }

        if (!IPAddress.TryParse(options.Url.Host, out var address) ? options.Url.Host != "localhost" : !IPAddress.IsLoopback(address))
        {
            Console.Error.WriteLine($"Refusing to load {options.Url.Host}: the load driver only targets loopback.");
            return 2;
        }

        var template = PrepareTemplate(await File.ReadAllBytesAsync(options.PayloadFile), options.UniqueHead);
        var key = Encoding.UTF8.GetBytes(options.Secret);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = options.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };

        await RunPhaseAsync(http, options, template, key, options.Warmup, record: null);
        var latencies = new List<double>[options.Concurrency];
        var errors = 0;
        var cpu = new CpuMeter(options.ServerPid);
        var watch = Stopwatch.StartNew();
        var count = await RunPhaseAsync(http, options, template, key, options.Duration, (worker, ms, ok) =>
        {
            (latencies[worker] ??= new List<double>(100_000)).Add(ms);
            if (!ok)
            {
                Interlocked.Increment(ref errors);
            }
        });
        var elapsed = watch.Elapsed.TotalSeconds;
        var (serverUs, driverUs, machineBusy) = cpu.PerRequest(count);

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
            server_cpu_us_per_request = serverUs is { } us ? Math.Round(us, 1) : (double?)null,
            driver_cpu_us_per_request = Math.Round(driverUs, 1),
            machine_busy_percent = machineBusy is { } busy ? Math.Round(busy, 1) : (double?)null,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.label,-24} {result.requests,8} req  {result.errors,5} err  {result.throughput_rps,9:F1} req/s  p50 {result.p50_ms,7:F2} ms  p90 {result.p90_ms,7:F2} ms  p99 {result.p99_ms,7:F2} ms  max {result.max_ms,8:F2} ms"
            + $"  CPU/req: server {result.server_cpu_us_per_request?.ToString("F0", CultureInfo.InvariantCulture) ?? "-"} µs, driver {result.driver_cpu_us_per_request:F0} µs  machine busy {result.machine_busy_percent?.ToString("F0", CultureInfo.InvariantCulture) ?? "-"} %"));
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return errors == 0 ? 0 : 1;
    }

    private static async Task<int> RunPhaseAsync(HttpClient http, IntakeOptions options, byte[] template, byte[] key, TimeSpan duration, Action<int, double, bool>? record)
    {
        if (duration <= TimeSpan.Zero)
        {
            return 0;
        }

        var sent = 0;
        var completed = 0;
        // GitHub names the hook's target in headers on every delivery, and Nectr picks the secret by it.
        var target = System.Text.Json.Nodes.JsonNode.Parse(template)?["repository"]?["id"]?.ToString();
        using var stop = new CancellationTokenSource(duration);
        var workers = Enumerable.Range(0, options.Concurrency).Select(worker => Task.Run(async () =>
        {
            var body = (byte[])template.Clone();
            while (!stop.IsCancellationRequested && Interlocked.Increment(ref sent) <= options.MaxRequests)
            {
                if (options.UniqueHead)
                {
                    WriteUniqueHead(body, template);
                }

                using var request = Build(options, body, key, target);
                var started = Stopwatch.GetTimestamp();
                bool ok;
                try
                {
                    using var response = await http.SendAsync(request, CancellationToken.None);
                    ok = response.IsSuccessStatusCode;
                }
                catch (HttpRequestException)
                {
                    ok = false;
                }

                Interlocked.Increment(ref completed);
                record?.Invoke(worker, Stopwatch.GetElapsedTime(started).TotalMilliseconds, ok);
            }
        })).ToArray();
        await Task.WhenAll(workers);
        return completed;
    }

    private static HttpRequestMessage Build(IntakeOptions options, byte[] body, byte[] key, string? target)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/bench");
        request.Headers.TryAddWithoutValidation("X-GitHub-Event", options.Event);
        request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", options.RandomDeliveryIds ? Guid.NewGuid().ToString() : GitHubDeliveryIds.Next());
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(key, body)));
        if (target is not null)
        {
            request.Headers.TryAddWithoutValidation("X-GitHub-Hook-Installation-Target-Type", "repository");
            request.Headers.TryAddWithoutValidation("X-GitHub-Hook-Installation-Target-ID", target);
        }

        return request;
    }

    /// <summary>Puts a placeholder into pull_request.head.sha so each request can get a fresh head (and so a fresh job).</summary>
    private static byte[] PrepareTemplate(byte[] payload, bool uniqueHead)
    {
        if (!uniqueHead)
        {
            return payload;
        }

        var root = System.Text.Json.Nodes.JsonNode.Parse(payload)!;
        root["pull_request"]!["head"]!["sha"] = HeadPlaceholder;
        return Encoding.UTF8.GetBytes(root.ToJsonString());
    }

    private static void WriteUniqueHead(byte[] body, byte[] template)
    {
        var at = template.AsSpan().IndexOf(Encoding.ASCII.GetBytes(HeadPlaceholder));
        Span<byte> random = stackalloc byte[20];
        RandomNumberGenerator.Fill(random);
        Encoding.ASCII.GetBytes(Convert.ToHexStringLower(random)).CopyTo(body.AsSpan(at));
    }
}

/// <summary>The driver's command line; <c>RandomDeliveryIds</c> sends version-4 GUIDs as delivery ids (the rounds before 7) instead of GitHub's time-based ones (<see cref="GitHubDeliveryIds"/>).</summary>
internal sealed record IntakeOptions(Uri Url, string Secret, string PayloadFile, string Event, int Concurrency, TimeSpan Duration, TimeSpan Warmup, int MaxRequests, string Label, bool UniqueHead, bool RandomDeliveryIds, int? ServerPid)
{
    public static IntakeOptions? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var flags = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--unique-head" or "--random-delivery-ids")
            {
                flags.Add(args[i]);
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

        if (!values.TryGetValue("--url", out var url) || !values.TryGetValue("--secret", out var secret) || !values.TryGetValue("--payload", out var payload))
        {
            return null;
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        return new IntakeOptions(new Uri(url), secret, payload, values.GetValueOrDefault("--event", "pull_request"), Int("--concurrency", 64),
            TimeSpan.FromSeconds(Int("--duration", 20)), TimeSpan.FromSeconds(Int("--warmup", 3)), Int("--max-requests", 2_000_000),
            values.GetValueOrDefault("--label", new Uri(url).Authority), flags.Contains("--unique-head"), flags.Contains("--random-delivery-ids"),
            values.TryGetValue("--server-pid", out var pid) ? int.Parse(pid, CultureInfo.InvariantCulture) : null);
    }
}
