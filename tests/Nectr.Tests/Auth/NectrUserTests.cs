using System.Net;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Auth;

/// <summary>
/// The signed-in user is a bound parameter guarded by one route-group filter: a session that names no Nectr user
/// gets each API's own 401 before any handler runs, as when every handler checked it.
/// </summary>
public sealed class NectrUserTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("/api/v1/reviews")]
    [InlineData("/api/v1/reviews/1")]
    [InlineData("/api/v1/events")]
    [InlineData("/api/v1/events/1")]
    [InlineData("/auth/me")]
    public async Task A_session_without_a_nectr_user_is_answered_401(string path)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = SessionWithoutUser(app);

        using var response = await client.GetAsync(path, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task The_repository_api_asks_a_session_without_a_nectr_user_to_sign_in_again()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var client = SessionWithoutUser(app);

        using var response = await client.GetAsync("/api/v1/repos", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal("Sign in again", problem.RootElement.GetProperty("title").GetString());
    }

    /// <summary>A valid session cookie whose principal carries a login but no Nectr user id.</summary>
    private static HttpClient SessionWithoutUser(NectrApp app)
    {
        var cookies = app.Services.GetRequiredService<IOptionsMonitor<CookieAuthenticationOptions>>().Get(CookieAuthenticationDefaults.AuthenticationScheme);
        var principal = new ClaimsPrincipal(new ClaimsIdentity([new Claim("nectr:login", "octocat")], CookieAuthenticationDefaults.AuthenticationScheme));
        var ticket = new AuthenticationTicket(principal, new AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow, ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) },
            CookieAuthenticationDefaults.AuthenticationScheme);
        var client = app.CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Cookie", $"__Host-nectr={cookies.TicketDataFormat.Protect(ticket)}");
        return client;
    }
}
