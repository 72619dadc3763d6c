using System.Diagnostics;
using System.Globalization;

namespace Nectr.Benchmarks.LoadDriver;

/// <summary>
/// CPU spent during the measured phase, per request: by the server process (from /proc/PID/stat), by this driver, and
/// by the whole machine (from /proc/stat). req/s alone cannot say why a server is slower: these say what one request
/// costs each side and whether the cores sat idle meanwhile (on 2 cores, ±9 % between identical runs, about as noisy
/// as req/s, so compare alternating runs). Linux only; elsewhere (or without a pid) the server's figure is absent.
/// </summary>
internal sealed class CpuMeter
{
    // USER_HZ: the unit of /proc's CPU times, 100 on every Linux build the runtime supports.
    private const double TicksPerSecond = 100;

    private readonly int? _serverPid;
    private readonly long? _serverTicks;
    private readonly TimeSpan _driver;
    private readonly (long Busy, long Total)? _machine;

    public CpuMeter(int? serverPid)
    {
        _serverPid = serverPid;
        _serverTicks = ProcessTicks(serverPid);
        _driver = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = MachineTicks();
    }

    /// <summary>Microseconds of CPU per request since construction, and the machine's busy share of all its cores.</summary>
    public (double? ServerUs, double DriverUs, double? MachineBusyPercent) PerRequest(int requests)
    {
        var n = Math.Max(1, requests);
        double? server = ProcessTicks(_serverPid) is { } end && _serverTicks is { } start ? (end - start) / TicksPerSecond * 1e6 / n : null;
        var driver = (Process.GetCurrentProcess().TotalProcessorTime - _driver).TotalMicroseconds / n;
        double? busy = MachineTicks() is { } now && _machine is { } then && now.Total > then.Total
            ? 100.0 * (now.Busy - then.Busy) / (now.Total - then.Total)
            : null;
        return (server, driver, busy);
    }

    /// <summary>utime + stime of a process (fields 14 and 15; the command name before them may hold spaces, so count from its ')').</summary>
    private static long? ProcessTicks(int? pid)
    {
        if (pid is null || !File.Exists($"/proc/{pid}/stat"))
        {
            return null;
        }

        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }

    /// <summary>The first line of /proc/stat: all cores' ticks; idle and iowait are the not-busy ones.</summary>
    private static (long Busy, long Total)? MachineTicks()
    {
        if (!File.Exists("/proc/stat"))
        {
            return null;
        }

        var ticks = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1..]
            .Select(t => long.Parse(t, CultureInfo.InvariantCulture)).ToArray();
        var total = ticks.Take(8).Sum(); // user nice system idle iowait irq softirq steal; guest time is already in user
        return (total - ticks[3] - ticks[4], total);
    }
}
