using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Webhooks;

/// <summary>
/// The global cap on webhook body bytes held in memory at once (<c>WEBHOOK_MAX_INFLIGHT_MB</c>). A delivery reserves
/// its declared length before a byte is read and gives it back when it has been answered, so concurrent large posts
/// (authenticated or not) can never hold more than the cap; the excess is answered 503 with Retry-After unread.
/// Exposed as the instruments <c>nectr.webhooks.body_bytes_in_flight</c> and <c>…_peak</c> (meter <c>Nectr.Webhooks</c>).
/// </summary>
internal sealed class WebhookBodyBudget
{
    public const string MeterName = "Nectr.Webhooks";

    /// <summary>After this many body bytes since the last time, a quiet budget hands the memory back (see <see cref="Give"/>).</summary>
    private const long ReturnAfterBytes = 64L * 1024 * 1024;

    /// <summary>Arrays from this size on live in the large object heap; smaller bodies are collected young and cost no return.</summary>
    private const long LargeObjectBytes = 85_000;
    private static readonly TimeSpan QuietBeforeReturn = TimeSpan.FromSeconds(2);
    private readonly Lock _lock = new();
    private readonly TimeProvider _time;
    private long _inFlight;
    private long _peak;
    private long _sinceReturn;
    private bool _returnScheduled;

    public WebhookBodyBudget(IOptions<WebhookOptions> options, IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        Limit = options.Value.MaxInflightBytes;
        var meter = meters.Create(MeterName);
        meter.CreateObservableUpDownCounter("nectr.webhooks.body_bytes_in_flight", () => InFlight, "By",
            "Webhook body bytes reserved by deliveries being read or answered.");
        meter.CreateObservableGauge("nectr.webhooks.body_bytes_in_flight_peak", () => Peak, "By",
            "The most webhook body bytes ever reserved at once by this process.");
        meter.CreateObservableGauge("nectr.webhooks.body_bytes_limit", () => Limit, "By", "WEBHOOK_MAX_INFLIGHT_MB in bytes.");
    }

    public long Limit { get; }

    public long InFlight
    {
        get
        {
            lock (_lock)
            {
                return _inFlight;
            }
        }
    }

    public long Peak
    {
        get
        {
            lock (_lock)
            {
                return _peak;
            }
        }
    }

    /// <summary>A reservation that grows as a body of unknown length arrives and is returned on dispose.</summary>
    public Reservation Open() => new(this);

    private bool TryTake(long bytes)
    {
        lock (_lock)
        {
            if (_inFlight + bytes > Limit)
            {
                return false;
            }

            _inFlight += bytes;
            if (bytes >= LargeObjectBytes)
            {
                _sinceReturn += bytes;
            }

            _peak = Math.Max(_peak, _inFlight);
            return true;
        }
    }

    /// <summary>
    /// Returns a reservation. Large bodies are large-object-heap arrays that the server GC keeps (dead or alive) until
    /// a full collection, which an idle service may never trigger: after a burst of large bodies, once none has been
    /// in flight for a moment, one compacting collection gives the memory back to the operating system.
    /// </summary>
    private void Give(long bytes)
    {
        lock (_lock)
        {
            _inFlight -= bytes;
            if (_inFlight != 0 || _sinceReturn < ReturnAfterBytes || _returnScheduled)
            {
                return;
            }

            _returnScheduled = true;
        }

        _ = Task.Run(ReturnMemoryWhenQuietAsync);
    }

    private async Task ReturnMemoryWhenQuietAsync()
    {
        await Task.Delay(QuietBeforeReturn, _time);
        lock (_lock)
        {
            _returnScheduled = false;
            if (_inFlight != 0)
            {
                return; // Busy again: the delivery that ends this burst schedules the return.
            }

            _sinceReturn = 0;
        }

        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    internal sealed class Reservation(WebhookBodyBudget budget) : IDisposable
    {
        private long _held;

        /// <summary>Reserves <paramref name="bytes"/> more, or nothing when that would pass the cap.</summary>
        public bool TryAdd(long bytes)
        {
            if (!budget.TryTake(bytes))
            {
                return false;
            }

            _held += bytes;
            return true;
        }

        public void Dispose()
        {
            budget.Give(_held);
            _held = 0;
        }
    }
}
