using System.Security.Cryptography;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// Delivery ids shaped as GitHub's: a version-1 (time-based) UUID, e.g. <c>58474f00-b361-11eb-836d-0e4f3503ccbe</c>,
/// the <c>guid</c> example of GitHub's OpenAPI description for a hook delivery (and <c>72d3162e-cc78-11e3-…</c> in
/// its webhook docs). Its first group is the low 32 bits of a 100 ns clock, so ids received in one burst sort in the
/// order they were made, as GitHub's do; a random (version-4) id lands anywhere in an index of ids.
/// </summary>
internal static class GitHubDeliveryIds
{
    // 100 ns ticks from the Gregorian reform (1582-10-15) to the Unix epoch: the UUID version-1 clock.
    private const long GregorianToUnixTicks = 0x01B21DD213814000;

    private static readonly ushort ClockSequence = (ushort)(RandomNumberGenerator.GetInt32(0x4000) | 0x8000); // RFC 4122 variant
    private static readonly string Node = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(6));
    private static long _last;

    /// <summary>The next id: unique within this process (the clock never repeats a tick here), time-ordered.</summary>
    public static string Next()
    {
        var now = DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks + GregorianToUnixTicks;
        long ticks;
        long last;
        do
        {
            last = Interlocked.Read(ref _last);
            ticks = Math.Max(now, last + 1);
        }
        while (Interlocked.CompareExchange(ref _last, ticks, last) != last);

        var timeLow = (uint)ticks;
        var timeMid = (ushort)(ticks >> 32);
        var timeHighAndVersion = (ushort)(((ticks >> 48) & 0x0FFF) | 0x1000);
        return $"{timeLow:x8}-{timeMid:x4}-{timeHighAndVersion:x4}-{ClockSequence:x4}-{Node}";
    }
}
