using System.Diagnostics.Metrics;
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
    private readonly Lock _lock = new();
    private long _inFlight;
    private long _peak;

    public WebhookBodyBudget(NectrOptions options, IMeterFactory meters)
    {
        Limit = options.WebhookMaxInflightBytes;
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
            _peak = Math.Max(_peak, _inFlight);
            return true;
        }
    }

    private void Give(long bytes)
    {
        lock (_lock)
        {
            _inFlight -= bytes;
        }
    }

    internal sealed class Reservation(WebhookBodyBudget budget) : IDisposable
    {
        private long _held;

        public long Held => _held;

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
