using System.Net;
using System.Net.Sockets;

namespace Nectr.McpClient;

/// <summary>
/// The only way an MCP server is reached over HTTP. Every connection — not only the configured URL at start, so a
/// name that later resolves elsewhere (DNS rebinding) is caught too — resolves the host here, refuses loopback,
/// private, shared, link-local (cloud metadata), unspecified, multicast and reserved addresses (also when written as
/// a number, in octal, or inside an IPv6 address), and connects to the vetted address itself, never resolving twice.
/// <c>MCP_ALLOW_PRIVATE=true</c> lifts the refusal for servers on the operator's own network.
/// </summary>
internal sealed class McpNetworkGuard(bool allowPrivate)
{
    /// <summary>Opens the socket to a vetted address; tests replace it to count connection attempts.</summary>
    internal Func<IPEndPoint, CancellationToken, ValueTask<Stream>> Connect { get; init; } = ConnectSocketAsync;

    /// <summary>Addresses allowed although internal; tests use it for the first hop of a redirect.</summary>
    internal Func<IPEndPoint, bool> Exempt { get; init; } = _ => false;

    /// <summary>Resolves a host name; tests may answer for names of their own.</summary>
    internal Func<string, CancellationToken, Task<IPAddress[]>> Resolve { get; init; } = Dns.GetHostAddressesAsync;

    /// <summary>The handler the SDK's HttpClient sends through: no proxy (it would bypass the check), no redirects.</summary>
    public SocketsHttpHandler CreateHandler() => new()
    {
        ConnectCallback = ConnectAsync,
        AllowAutoRedirect = false,
        UseProxy = false,
        UseCookies = false,
        ConnectTimeout = TimeSpan.FromSeconds(10),
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    };

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var endpoint = context.DnsEndPoint;
        var addresses = await AddressesAsync(endpoint.Host, cancellationToken);
        var port = endpoint.Port;
        if (addresses.Length == 0)
        {
            throw new McpBlockedException("its host name has no address");
        }

        // One internal address among public ones is refused too: which one a connection would get is the resolver's choice.
        if (!allowPrivate && addresses.FirstOrDefault(a => IsInternal(a) && !Exempt(new IPEndPoint(a, port))) is { } refused)
        {
            throw new McpBlockedException($"it resolves to an internal address ({Describe(refused)}); set MCP_ALLOW_PRIVATE=true for a server on your own network");
        }

        Exception? last = null;
        foreach (var address in addresses)
        {
            try
            {
                return await Connect(new IPEndPoint(address, port), cancellationToken);
            }
            catch (SocketException ex)
            {
                last = ex;
            }
        }

        throw new HttpRequestException("the server could not be reached", last);
    }

    private async Task<IPAddress[]> AddressesAsync(string host, CancellationToken cancellationToken)
    {
        var literal = host.StartsWith('[') && host.EndsWith(']') ? host[1..^1] : host;

        // IPAddress.TryParse reads the spellings inet_aton does (2130706433, 0177.0.0.1, 0x7f.1), so they are checked
        // as the address they are, before any socket; a host that is not an address goes to DNS.
        return IPAddress.TryParse(literal, out var address) ? [address] : await Resolve(host, cancellationToken);
    }

    private static async ValueTask<Stream> ConnectSocketAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint, cancellationToken);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private static string Describe(IPAddress address) => IsLoopback(address) ? "loopback" : "private, link-local or reserved";

    private static bool IsLoopback(IPAddress address) => IPAddress.IsLoopback(address.IsIPv4MappedToIPv6 ? address.MapToIPv4() : address);

    /// <summary>Whether <paramref name="address"/> is anything but a public unicast address.</summary>
    public static bool IsInternal(IPAddress address)
    {
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv4MappedToIPv6)
            {
                return IsInternal(address.MapToIPv4());
            }

            var b = address.GetAddressBytes();
            if (b.Take(12).All(x => x == 0))
            {
                return true; // ::, ::1 and the deprecated IPv4-compatible ::a.b.c.d
            }

            if ((b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b) // 64:ff9b::/96, NAT64 of an IPv4 address
                || (b[0] == 0x20 && b[1] == 0x02)) // 2002::/16, 6to4 of an IPv4 address
            {
                var embedded = b[0] == 0x20 ? new IPAddress(b[2..6]) : new IPAddress(b[12..16]);
                return IsInternal(embedded);
            }

            return (b[0] & 0xfe) == 0xfc // fc00::/7 unique local
                || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) // fe80::/10 link-local
                || (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) // fec0::/10 site-local (deprecated)
                || b[0] == 0xff // multicast
                || (b[0] == 0x20 && b[1] == 0x01 && b[2] == 0x0d && b[3] == 0xb8); // 2001:db8::/32 documentation
        }

        if (address.AddressFamily != AddressFamily.InterNetwork)
        {
            return true;
        }

        var v4 = address.GetAddressBytes();
        return v4[0] switch
        {
            0 or 10 or 127 => true, // "this network", private, loopback
            100 => (v4[1] & 0xc0) == 64, // 100.64/10 shared (carrier-grade NAT)
            169 => v4[1] == 254, // link-local, 169.254.169.254 cloud metadata
            172 => (v4[1] & 0xf0) == 16, // 172.16/12
            192 => (v4[1] == 168) || (v4[1] == 0 && (v4[2] == 0 || v4[2] == 2)) || (v4[1] == 88 && v4[2] == 99),
            198 => (v4[1] & 0xfe) == 18 || (v4[1] == 51 && v4[2] == 100), // benchmarking, documentation
            203 => v4[1] == 0 && v4[2] == 113, // documentation
            >= 224 => true, // multicast, reserved, broadcast
            _ => false,
        };
    }
}

/// <summary>A connection the guard refused; the message says why in Nectr's words, without the URL or any token.</summary>
internal sealed class McpBlockedException(string reason) : HttpRequestException("refused: " + reason)
{
    public string Reason { get; } = reason;
}
