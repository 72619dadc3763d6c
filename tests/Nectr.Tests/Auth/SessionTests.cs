using System.Net;
using System.Net.Http.Json;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Auth;

public sealed class SessionTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Me_answers_401_without_a_session_and_the_user_with_one()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        using var anonymous = app.CreateClient();
        var (client, user) = await app.SignedInClientAsync("octocat", 583231);
        using var _ = client;

        using var refused = await anonymous.GetAsync("/auth/me", Ct);
        var me = await client.GetFromJsonAsync<Dictionary<string, object>>("/auth/me", Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Equal("octocat", me!["login"].ToString());
        Assert.Equal(user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), me["id"].ToString());
    }

    [Fact]
    public async Task Logout_without_an_antiforgery_token_is_refused_and_the_session_stays()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database);
        var (client, _) = await app.SignedInClientAsync("octocat", 583231);
        using var __ = client;

        using var refused = await client.PostAsync("/auth/logout", null, Ct);
        using var still = await client.GetAsync("/auth/me", Ct);

        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, still.StatusCode);
    }
}
