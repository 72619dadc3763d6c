using System.Net;

namespace Nectr.Configuration;

/// <summary>
/// <c>FORWARDED_ALLOW_IPS</c>: the reverse proxies whose <c>X-Forwarded-For</c>, <c>-Proto</c> and <c>-Host</c> Nectr
/// believes (the same setting and default as uvicorn, which the original Nectr ran on). Addresses and CIDR networks,
/// comma-separated; the default is loopback, for a proxy on the same machine; <c>*</c> trusts every peer, which lets
/// any client that reaches Nectr directly claim to be on HTTPS or at any address.
/// </summary>
internal sealed record ForwardedProxies(bool TrustsEveryone, IReadOnlyList<IPAddress> Addresses, IReadOnlyList<IPNetwork> Networks)
{
    public const string Variable = "FORWARDED_ALLOW_IPS";

    public static readonly ForwardedProxies Loopback = new(false, [IPAddress.Loopback, IPAddress.IPv6Loopback], []);

    /// <summary>How the setting reads back, for the Settings page and messages.</summary>
    public string Display => TrustsEveryone ? "* (every peer: unsafe unless only the proxy can reach Nectr)"
        : string.Join(", ", Addresses.Select(a => a.ToString()).Concat(Networks.Select(n => n.ToString())));

    /// <summary>Parses the setting; each entry that is neither an address nor a network is reported with the fix.</summary>
    public static ForwardedProxies Parse(string? raw, List<string> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        if (raw is null)
        {
            return Loopback;
        }

        var entries = raw.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (entries.Contains("*"))
        {
            return entries.Length == 1 ? new ForwardedProxies(true, [], []) : Invalid(raw, "'*' trusts every peer, so it cannot be combined with addresses", errors);
        }

        var addresses = new List<IPAddress>();
        var networks = new List<IPNetwork>();
        foreach (var entry in entries)
        {
            if (entry.Contains('/', StringComparison.Ordinal))
            {
                // 10.0.0.5/8 is almost certainly a typo for one address, and would trust a whole /8: refuse a network
                // whose written address has host bits set, and say which entry it is.
                var written = entry[..entry.IndexOf('/', StringComparison.Ordinal)];
                if (!IPNetwork.TryParse(entry, out var network) || !IsWrittenInFull(written, network.BaseAddress)
                    || !IPAddress.TryParse(written, out var start) || !start.Equals(network.BaseAddress))
                {
                    return Invalid(raw, $"'{entry}' is not a network in CIDR form with its host bits zero (e.g. 10.0.0.0/8)", errors);
                }

                networks.Add(network);
            }
            else if (IPAddress.TryParse(entry, out var address) && IsWrittenInFull(entry, address))
            {
                addresses.Add(address);
            }
            else
            {
                return Invalid(raw, $"'{entry}' is not an IP address (host names are not resolved)", errors);
            }
        }

        return addresses.Count + networks.Count == 0 ? Invalid(raw, "it lists no address", errors) : new ForwardedProxies(false, addresses, networks);
    }

    /// <summary>IPAddress also reads "10" as 0.0.0.10; an entry like that is a typo, not a proxy's address.</summary>
    private static bool IsWrittenInFull(string text, IPAddress address) => address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
        ? text.Contains(':', StringComparison.Ordinal)
        : text.Count(c => c == '.') == 3;

    private static ForwardedProxies Invalid(string raw, string why, List<string> errors)
    {
        errors.Add($"{Variable} '{raw}': {why}. List the addresses or CIDR networks of the reverse proxies in front of Nectr, comma-separated " +
            $"(e.g. {Variable}=10.0.0.5,172.16.0.0/12), or leave it unset to trust only a proxy on this machine (127.0.0.1, ::1).");
        return Loopback;
    }
}
