using System.Net;
using Nectr.Configuration;

namespace Nectr.Deployment;

/// <summary>
/// The last browser or API request production refused for arriving over plain HTTP, so <c>/health/ready</c> can say
/// why sign-in fails behind a proxy that is not in <c>FORWARDED_ALLOW_IPS</c>. Anyone can send such a request, so
/// this is only ever a warning (readiness does not change), and it names nothing but the sender's own address.
/// </summary>
internal sealed class PlainHttpRefusals(TimeProvider time)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);
    private readonly Lock _lock = new();
    private (DateTimeOffset At, string Peer, bool Forwarded, long Count)? _last;

    public void Record(IPAddress? peer, bool forwardedProto)
    {
        var now = time.GetUtcNow();
        var shown = peer is null ? "a local socket" : (peer.IsIPv4MappedToIPv6 ? peer.MapToIPv4() : peer).ToString();
        lock (_lock)
        {
            var count = _last is { } last && now - last.At < Window ? last.Count + 1 : 1;
            _last = (now, shown, forwardedProto, count);
        }
    }

    /// <summary>A warning with the fix when a request was refused in the last hour; otherwise null.</summary>
    public string? Warning()
    {
        (DateTimeOffset At, string Peer, bool Forwarded, long Count)? last;
        lock (_lock)
        {
            last = _last;
        }

        if (last is not { } seen || time.GetUtcNow() - seen.At >= Window)
        {
            return null;
        }

        var how = seen.Forwarded ? "with X-Forwarded-Proto, from an address Nectr does not trust" : "without X-Forwarded-Proto";
        return $"{seen.Count} browser or API request(s) in the last hour reached Nectr over plain HTTP and were refused (the last {how}: {seen.Peer}, at {seen.At:u}): " +
            $"serve Nectr over HTTPS, or set {ForwardedProxies.Variable} to the reverse proxy's address and make it send X-Forwarded-Proto";
    }
}
