using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Nectr.GitHubApp;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.GitHubApp;

/// <summary>The App JWT Nectr signs, checked by the fake GitHub the way GitHub checks it: with the App's PUBLIC key only.</summary>
public sealed class AppJwtTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 9, 0, 0, TimeSpan.Zero);
    private readonly Microsoft.Extensions.Time.Testing.FakeTimeProvider _clock = new(Now);
    private FakeGitHub _github = null!;
    private RSA _key = null!;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _github.Clock = _clock;
        TestGitHubApp.EnableOn(_github);
        _key = RSA.Create();
        _key.ImportFromPem(TestGitHubApp.PrivateKeyPem);
    }

    public async ValueTask DisposeAsync()
    {
        _key.Dispose();
        await _github.DisposeAsync();
    }

    [Fact]
    public void A_JWT_signed_with_the_App_key_is_RS256_issued_a_minute_ago_expires_within_ten_minutes_and_verifies_with_the_public_key()
    {
        var jwt = AppJwt.Create(TestGitHubApp.AppId, _key, Now);

        var parts = jwt.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var claims = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        Assert.Equal("RS256", header.RootElement.GetProperty("alg").GetString());
        Assert.Equal(Now.AddSeconds(-60).ToUnixTimeSeconds(), claims.RootElement.GetProperty("iat").GetInt64());
        Assert.InRange(claims.RootElement.GetProperty("exp").GetInt64(), Now.ToUnixTimeSeconds() + 1, Now.AddMinutes(10).ToUnixTimeSeconds());
        Assert.Equal(TestGitHubApp.AppId, claims.RootElement.GetProperty("iss").GetInt64());
        Assert.Null(_github.VerifyJwt("Bearer " + jwt));
    }

    [Fact]
    public void A_tampered_JWT_is_refused()
    {
        var parts = AppJwt.Create(TestGitHubApp.AppId, _key, Now).Split('.');
        var claims = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(parts[1])).Replace(TestGitHubApp.AppId.ToString(System.Globalization.CultureInfo.InvariantCulture), "1", StringComparison.Ordinal);
        var tampered = $"{parts[0]}.{Base64Url.EncodeToString(Encoding.UTF8.GetBytes(claims))}.{parts[2]}";

        Assert.Equal("signature does not verify with the App's public key", _github.VerifyJwt("Bearer " + tampered));
    }

    [Fact]
    public void A_JWT_signed_with_another_key_is_refused()
    {
        using var other = RSA.Create(2048);

        Assert.Equal("signature does not verify with the App's public key", _github.VerifyJwt("Bearer " + AppJwt.Create(TestGitHubApp.AppId, other, Now)));
    }

    [Fact]
    public void An_expired_JWT_is_refused_and_one_for_another_App_too()
    {
        var old = AppJwt.Create(TestGitHubApp.AppId, _key, Now - TimeSpan.FromMinutes(10));

        Assert.Equal("the JWT has expired", _github.VerifyJwt("Bearer " + old));
        Assert.Equal("iss '99' is not the App's id", _github.VerifyJwt("Bearer " + AppJwt.Create(99, _key, Now)));
    }

    [Fact]
    public async Task GitHub_answers_a_call_as_the_App_only_with_a_valid_JWT()
    {
        using var http = new HttpClient { BaseAddress = _github.ApiUrl };
        http.DefaultRequestHeaders.UserAgent.ParseAdd("test");

        using var good = new HttpRequestMessage(HttpMethod.Get, "app");
        good.Headers.Authorization = new("Bearer", AppJwt.Create(TestGitHubApp.AppId, _key, Now));
        using var accepted = await http.SendAsync(good, TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromMinutes(10));
        using var late = new HttpRequestMessage(HttpMethod.Get, "app");
        late.Headers.Authorization = new("Bearer", AppJwt.Create(TestGitHubApp.AppId, _key, Now));
        using var refused = await http.SendAsync(late, TestContext.Current.CancellationToken);

        Assert.Equal(System.Net.HttpStatusCode.OK, accepted.StatusCode);
        Assert.Equal(System.Net.HttpStatusCode.Unauthorized, refused.StatusCode);
        Assert.Contains(_github.UnexpectedCalls, c => c.Contains("the JWT has expired", StringComparison.Ordinal));
    }
}
