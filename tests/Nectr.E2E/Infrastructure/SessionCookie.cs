using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Nectr.Auth;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// Mints the session cookie a completed GitHub sign-in would set, for a server running in another process. The Data
/// Protection key ring lives in the shared database (<see cref="DatabaseKeyRing"/>), so a service provider built here
/// with Nectr's own <c>AddData</c> and <c>AddAuth</c> on the same DATABASE_URL protects a ticket that process accepts.
/// </summary>
internal static class SessionCookie
{
    public static string Mint(TestDatabase database, UserRecord user)
    {
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.AddData(new DatabaseOptions { UrlText = database.Url });
        builder.AddAuth();
        using var host = builder.Build();
        var cookie = host.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>()
            .Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var ticket = new AuthenticationTicket(NectrClaims.PrincipalFor(user),
            new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow, ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) },
            CookieAuthenticationDefaults.AuthenticationScheme);
        return cookie.TicketDataFormat.Protect(ticket);
    }
}
