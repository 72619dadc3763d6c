using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Options;
using Nectr.Configuration;

namespace Nectr.Deployment;

/// <summary>
/// How Nectr sits on the network: which reverse proxies it believes about the client's scheme, host and address
/// (<c>FORWARDED_ALLOW_IPS</c>), HSTS, and the security headers every answer carries.
/// </summary>
internal static class DeploymentExtensions
{
    public static IHostApplicationBuilder AddDeployment(this IHostApplicationBuilder builder)
    {
        // Configured in DI (not passed to UseForwardedHeaders) so that ASPNETCORE_FORWARDEDHEADERS_ENABLED, if an old
        // deployment still sets it, gets these same trusted proxies instead of its built-in "trust every peer".
        builder.Services.AddOptions<ForwardedHeadersOptions>()
            .Configure<IOptions<HostingOptions>>((forwarded, hosting) => Trust(forwarded, hosting.Value.ForwardedProxies));
        builder.Services.AddSingleton<PlainHttpRefusals>();
        builder.Services.AddExceptionHandler<UnreadableRequestBodies>();
        builder.Services.AddHsts(hsts =>
        {
            // A year, this host only: Nectr often lives on a subdomain of a company's domain, whose other hosts are not its business.
            // localhost, 127.0.0.1 and [::1] stay excluded (the default), so a developer's other http://localhost apps keep working.
            hsts.MaxAge = TimeSpan.FromDays(365);
            hsts.IncludeSubDomains = false;
        });
        return builder;
    }

    internal static void Trust(ForwardedHeadersOptions forwarded, ForwardedProxies proxies)
    {
        forwarded.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto | ForwardedHeaders.XForwardedHost;
        // ASP.NET Core trusts loopback by default; the setting replaces that list rather than adding to it.
        forwarded.KnownProxies.Clear();
        forwarded.KnownIPNetworks.Clear();
        if (proxies.TrustsEveryone)
        {
            // Empty lists make the middleware believe any peer; only the nearest hop's claim is taken.
            forwarded.ForwardLimit = 1;
            return;
        }

        foreach (var address in proxies.Addresses)
        {
            forwarded.KnownProxies.Add(address);
        }

        foreach (var network in proxies.Networks)
        {
            forwarded.KnownIPNetworks.Add(network);
        }

        // Walk back through X-Forwarded-For while each hop is a trusted proxy (a CDN in front of nginx, both listed),
        // and stop at the first address that is not: that one is the client.
        forwarded.ForwardLimit = null;
    }
}
