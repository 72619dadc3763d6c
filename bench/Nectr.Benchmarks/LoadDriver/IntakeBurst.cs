using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// The memory probe of issue #8: many large posts at once with a bogus signature (what anyone on the internet can
/// send), against a real Nectr process. Samples that process's resident memory from /proc/PID/status before, during
/// and after the burst, and reports the peak and what is left once it is over. Loopback targets only.
/// </summary>
internal static class IntakeBurst
{
    public static async Task<int> RunAsync(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            values[args[i]] = args[i + 1];
        }

        if (!values.TryGetValue("--url", out var rawUrl) || !values.TryGetValue("--pid", out var rawPid))
        {
            Console.Error.WriteLine("usage: intake-burst --url URL --pid NECTR_PID [--concurrency 48] [--size-mb 25] [--rounds 3] [--settle-seconds 20] [--label NAME]");
            return 2;
        }

        var url = new Uri(rawUrl);
        if (!IPAddress.TryParse(url.Host, out var address) || !IPAddress.IsLoopback(address))
        {
            Console.Error.WriteLine($"Refusing to load {url.Host}: the burst driver only targets a loopback address.");
            return 2;
        }

        int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
        var pid = int.Parse(rawPid, CultureInfo.InvariantCulture);
        var concurrency = Int("--concurrency", 48);
        var rounds = Int("--rounds", 3);
        var settle = TimeSpan.FromSeconds(Int("--settle-seconds", 20));
        var body = new byte[Int("--size-mb", 25) * 1024 * 1024];
        Array.Fill(body, (byte)' ');

        var baseline = Rss(pid);
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, Rss(pid));
                await Task.Delay(20, CancellationToken.None);
            }
        });

        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = TimeSpan.Zero };
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(120) };
        var statuses = new Dictionary<string, int>(StringComparer.Ordinal);
        var started = DateTime.UtcNow;
        for (var round = 0; round < rounds; round++)
        {
            var results = await Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => SendAsync(http, url, body)));
            foreach (var status in results)
            {
                statuses[status] = statuses.GetValueOrDefault(status) + 1;
            }
        }

        var burstSeconds = (DateTime.UtcNow - started).TotalSeconds;
        var afterBurst = Rss(pid);
        await Task.Delay(settle);
        await sampling.CancelAsync();
        await sampler;
        var settled = Rss(pid);

        var result = new
        {
            label = values.GetValueOrDefault("--label", "nectr"),
            concurrency,
            rounds,
            size_mb = body.Length / 1024 / 1024,
            statuses,
            burst_seconds = Math.Round(burstSeconds, 1),
            rss_baseline_mb = Mb(baseline),
            rss_peak_mb = Mb(peak),
            rss_hwm_mb = Mb(Status(pid, "VmHWM")),
            rss_after_burst_mb = Mb(afterBurst),
            rss_settled_mb = Mb(settled),
            settle_seconds = settle.TotalSeconds,
        };
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{result.label}: {concurrency}×{result.size_mb} MB × {rounds} round(s) in {result.burst_seconds} s; answers {string.Join(", ", statuses.Select(s => $"{s.Key}×{s.Value}"))}; "
            + $"RSS baseline {result.rss_baseline_mb} MB, peak {result.rss_peak_mb} MB (VmHWM {result.rss_hwm_mb}), right after {result.rss_after_burst_mb} MB, after {settle.TotalSeconds:0} s {result.rss_settled_mb} MB"));
        Console.WriteLine("RESULT " + JsonSerializer.Serialize(result));
        return 0;
    }

    private static async Task<string> SendAsync(HttpClient http, Uri url, byte[] body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation("User-Agent", "GitHub-Hookshot/bench");
        request.Headers.TryAddWithoutValidation("X-GitHub-Event", "pull_request");
        request.Headers.TryAddWithoutValidation("X-GitHub-Delivery", Guid.NewGuid().ToString());
        request.Headers.TryAddWithoutValidation("X-Hub-Signature-256", "sha256=" + new string('0', 64));
        try
        {
            using var response = await http.SendAsync(request, CancellationToken.None);
            return ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (HttpRequestException ex)
        {
            // Nectr answered before reading the body (503, 401) and closed the connection while it was still being sent.
            return "closed:" + (ex.HttpRequestError.ToString());
        }
    }

    private static long Rss(int pid) => Status(pid, "VmRSS");

    /// <summary>A "kB" line of /proc/PID/status, in bytes.</summary>
    private static long Status(int pid, string field)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        return 0;
    }

    private static long Mb(long bytes) => bytes / 1024 / 1024;
}
