using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Tests.Infrastructure;
using static Nectr.Tests.Webhooks.WebhookTestKit;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Bodies are reserved against WEBHOOK_MAX_INFLIGHT_MB before they are read: however many large posts arrive at once
/// (here with bad signatures, as an attacker would send them), the bytes in flight never pass the cap, the excess is
/// answered 503 with Retry-After unread, and nothing is stored. Read through the app's own metrics.
/// </summary>
public sealed class WebhookMemoryTests
{
    private const int Mb = 1024 * 1024;

    /// <summary>On the real Kestrel server over loopback, so bodies stream as they would from GitHub.</summary>
    private static (NectrApp App, HttpClient Client) Start(TestDatabase database, int capMb)
    {
        var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            ["REVIEW_CONCURRENCY"] = "0",
            ["WEBHOOK_MAX_INFLIGHT_MB"] = capMb.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["urls"] = "http://127.0.0.1:0",
        });
        app.UseKestrel();
        app.StartServer();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return (app, new HttpClient { BaseAddress = new Uri(address) });
    }

    [Fact]
    public async Task Posts_beyond_the_cap_get_503_with_retry_after_before_reading_and_the_bytes_in_flight_never_pass_it()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (app, client) = Start(database, capMb: 50);
        await using var _ = app;
        using var __ = client;
        using var metrics = new BudgetMetrics(app);
        var body = new byte[20 * Mb];
        Array.Fill(body, (byte)' ');

        // Two 20 MB bodies that stop after their first megabyte hold 40 MB of the 50 MB budget.
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var held = Enumerable.Range(0, 2).Select(_ => client.SendAsync(Forged(body, new StallingContent(body, Mb, release.Task)), Ct)).ToList();
        await WaitUntilAsync(() => metrics.Read().InFlight == 40L * Mb, () => $"two reservations of 20 MB (in flight: {metrics.Read().InFlight})");

        // Every further 20 MB post would pass the cap: refused at once, without being read.
        var refused = (await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => SendAsync(client, Forged(body, new ByteArrayContent(body)))))).OfType<HttpResponseMessage>().ToList();
        Assert.All(refused, r =>
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, r.StatusCode);
            Assert.True(r.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        });

        release.SetResult();
        var answered = await Task.WhenAll(held);
        Assert.All(answered, r => Assert.Equal(HttpStatusCode.Unauthorized, r.StatusCode));
        var (inFlight, peak, limit) = metrics.Read();
        Assert.Equal(50L * Mb, limit);
        Assert.Equal(40L * Mb, peak);
        Assert.Equal(0, inFlight);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        foreach (var response in refused.Concat(answered))
        {
            response.Dispose();
        }
    }

    [Fact]
    public async Task Many_concurrent_large_posts_with_bad_signatures_stay_within_the_cap_and_store_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (app, client) = Start(database, capMb: 25);
        await using var _ = app;
        using var __ = client;
        using var metrics = new BudgetMetrics(app);
        var body = new byte[10 * Mb];
        Array.Fill(body, (byte)' ');

        var responses = (await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => SendAsync(client, Forged(body, new ByteArrayContent(body)))))).OfType<HttpResponseMessage>().ToList();

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Unauthorized, HttpStatusCode.ServiceUnavailable }));
        Assert.All(responses.Where(r => r.StatusCode == HttpStatusCode.ServiceUnavailable), r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.Unauthorized);
        var (inFlight, peak, limit) = metrics.Read();
        Assert.InRange(peak, 10L * Mb, limit);
        Assert.Equal(0, inFlight);
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        foreach (var response in responses)
        {
            response.Dispose();
        }
    }

    /// <summary>
    /// The answer, or null when the server closed the connection while the client was still sending: after a 503 the
    /// server does not read the refused body, and Kestrel closes a connection whose unread body it cannot drain in time
    /// (the burst benchmark sees "closed while sending" too). The sender never learns of a delivery then, and GitHub
    /// redelivers it, so it counts as refused; what matters here is the cap, and that nothing is stored.
    /// </summary>
    private static async Task<HttpResponseMessage?> SendAsync(HttpClient client, HttpRequestMessage request)
    {
        try
        {
            return await client.SendAsync(request, Ct);
        }
        catch (HttpRequestException ex) when (ex.InnerException is IOException { InnerException: System.Net.Sockets.SocketException })
        {
            return null;
        }
    }

    private static HttpRequestMessage Forged(byte[] body, HttpContent content)
    {
        var request = SignedDelivery.Create("pull_request", body, "not-nectrs-secret");
        request.Content = content;
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        content.Headers.ContentLength = body.Length;
        return request;
    }

    private static async Task WaitUntilAsync(Func<bool> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, $"Timed out waiting for {what()}.");
            await Task.Delay(20, Ct);
        }
    }

    /// <summary>Sends the first <paramref name="first"/> bytes, then the rest once <paramref name="release"/> completes.</summary>
    private sealed class StallingContent(byte[] body, int first, Task release) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context)
        {
            await stream.WriteAsync(body.AsMemory(0, first));
            await stream.FlushAsync();
            await release;
            await stream.WriteAsync(body.AsMemory(first));
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }

    /// <summary>The app's <c>nectr.webhooks.body_bytes_*</c> instruments, read with a <see cref="MeterListener"/>.</summary>
    private sealed class BudgetMetrics : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly Dictionary<string, long> _values = [];
        private readonly Lock _lock = new();

        public BudgetMetrics(NectrApp app)
        {
            var factory = app.Services.GetRequiredService<IMeterFactory>();
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "Nectr.Webhooks" && ReferenceEquals(instrument.Meter.Scope, factory))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                lock (_lock)
                {
                    _values[instrument.Name] = value;
                }
            });
            _listener.Start();
        }

        public (long InFlight, long Peak, long Limit) Read()
        {
            _listener.RecordObservableInstruments();
            lock (_lock)
            {
                // Nothing is published before the first delivery creates the budget.
                return (_values.GetValueOrDefault("nectr.webhooks.body_bytes_in_flight"), _values.GetValueOrDefault("nectr.webhooks.body_bytes_in_flight_peak"),
                    _values.GetValueOrDefault("nectr.webhooks.body_bytes_limit"));
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
