using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// GitHub's OAuth App flow as GitHub runs it: the authorize page (a test plays the user clicking Authorize), the
/// code-for-token exchange with client credentials, redirect_uri and PKCE checks, and the user and organisation
/// membership endpoints the token then opens. Point both GITHUB_WEB_URL and GITHUB_API_URL at <see cref="ApiUrl"/>.
/// </summary>
public sealed partial class FakeGitHub
{
    public const string OAuthClientId = "Ov23liFakeClientId01";
    public const string OAuthClientSecret = "fake-oauth-client-secret-6b1d";
    private const string TokenPath = "/login/oauth/access_token";

    private readonly ConcurrentDictionary<string, FakeAuthorization> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, FakeOAuthUser> _oauthTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _nextTokenErrors = new();
    private FakeOAuthUser? _browserUser;
    private int _oauthEnabled;

    /// <summary>The token exchanges Nectr attempted, in order.</summary>
    public IReadOnlyList<RecordedRequest> TokenExchanges => Requests.Where(r => r.Method == "POST" && r.Path == TokenPath).ToList();

    /// <summary>Adds the OAuth routes (once per fake).</summary>
    public void EnableOAuth()
    {
        if (Interlocked.Exchange(ref _oauthEnabled, 1) == 1)
        {
            return;
        }

        AddRoute(r => r.Method == "POST" && r.Path == TokenPath, ExchangeCodeAsync, anonymous: true);
        AddRoute(r => r.Method == "GET" && r.Path == "/user", AuthenticatedUserAsync);
        AddRoute(r => r.Method == "GET" && r.Path.StartsWith("/user/memberships/orgs/", StringComparison.Ordinal), MembershipAsync);
    }

    /// <summary>
    /// The user clicks Authorize on <paramref name="authorizeUrl"/> (where Nectr sent the browser): GitHub checks the
    /// client id, remembers the PKCE challenge and redirect URI, and sends the browser back with a code and the state.
    /// </summary>
    public FakeAuthorization Authorize(Uri authorizeUrl, FakeOAuthUser user)
    {
        Assert.Equal("/login/oauth/authorize", authorizeUrl.AbsolutePath);
        var query = QueryHelpers.ParseQuery(authorizeUrl.Query);
        Assert.Equal(OAuthClientId, query["client_id"].ToString());
        var code = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(10));
        var authorization = new FakeAuthorization(
            code,
            query["state"].ToString(),
            query["redirect_uri"].ToString(),
            query["scope"].ToString(),
            query["code_challenge"].ToString(),
            query["code_challenge_method"].ToString(),
            user);
        _codes[code] = authorization;
        return authorization;
    }

    /// <summary>
    /// For a real browser: GET /login/oauth/authorize is GitHub's authorize page with <paramref name="user"/> signed in
    /// and clicking Authorize at once — <see cref="Authorize"/> checks the request, then a 302 sends the browser to the
    /// redirect_uri with the code and the state, as GitHub does. A later call changes who is signed in at GitHub, for a
    /// second browser signing in as someone else.
    /// </summary>
    public void AuthorizeBrowsersAs(FakeOAuthUser user)
    {
        if (Interlocked.Exchange(ref _browserUser, user) is not null)
        {
            return;
        }

        EnableOAuth();
        AddRoute(r => r.Method == "GET" && r.Path == "/login/oauth/authorize", (context, request) => Reporting(context, request, (c, r) =>
        {
            var authorization = Authorize(new Uri(ApiUrl, r.PathAndQuery), Volatile.Read(ref _browserUser)!);
            var separator = authorization.RedirectUri.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            var location = $"{authorization.RedirectUri}{separator}code={Uri.EscapeDataString(authorization.Code)}&state={Uri.EscapeDataString(authorization.State)}";
            r.Status = 302;
            c.Response.StatusCode = 302;
            c.Response.Headers.Location = location;
            return Task.CompletedTask;
        }), anonymous: true);
    }

    /// <summary>The next exchange is answered with GitHub's 200 <c>{"error": …}</c> form, e.g. redirect_uri_mismatch.</summary>
    public void RefuseNextTokenExchange(string error) => _nextTokenErrors.Enqueue(error);

    private async Task ExchangeCodeAsync(HttpContext context, RecordedRequest request)
    {
        var form = QueryHelpers.ParseQuery(request.Body);
        string Field(string name) => form.TryGetValue(name, out var value) ? value.ToString() : "";

        if (!request.Headers.TryGetValue("Accept", out var accept) || !accept.Contains("application/json", StringComparison.Ordinal))
        {
            // Without it GitHub answers form-encoded; Nectr must ask for JSON.
            await Unexpected(context, request, 406, "POST /login/oauth/access_token without Accept: application/json");
            return;
        }

        string? error = null;
        FakeAuthorization? authorization = null;
        if (_nextTokenErrors.TryDequeue(out var forced))
        {
            error = forced;
        }
        else if (Field("client_id") != OAuthClientId || Field("client_secret") != OAuthClientSecret)
        {
            error = "incorrect_client_credentials";
        }
        else if (!_codes.TryRemove(Field("code"), out authorization))
        {
            error = "bad_verification_code";
        }
        else if (Field("redirect_uri") != authorization.RedirectUri)
        {
            error = "redirect_uri_mismatch";
        }
        else if (authorization.ChallengeMethod != "S256"
            || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(Field("code_verifier")))) != authorization.Challenge)
        {
            error = "bad_verification_code";
        }

        var response = new JsonObject();
        if (error is not null)
        {
            response["error"] = error;
            response["error_description"] = $"The fake GitHub refused the exchange: {error}.";
            response["error_uri"] = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors";
        }
        else
        {
            var token = authorization!.User.Token;
            _oauthTokens[token] = authorization.User;
            AcceptToken(token);
            response["access_token"] = token;
            response["token_type"] = "bearer";
            response["scope"] = authorization.Scope.Replace(' ', ',');
        }

        request.Status = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(response.ToJsonString());
    }

    private async Task AuthenticatedUserAsync(HttpContext context, RecordedRequest request)
    {
        var user = OAuthUserOf(context.Request);
        if (user is null)
        {
            await Unexpected(context, request, 401, "GET /user with a token that is not a signed-in user's");
            return;
        }

        request.Status = 200;
        context.Response.ContentType = "application/json; charset=utf-8";
        await context.Response.WriteAsync(new JsonObject
        {
            ["login"] = user.Login,
            ["id"] = user.Id,
            ["node_id"] = "U_fake" + user.Id,
            ["avatar_url"] = $"https://avatars.githubusercontent.com/u/{user.Id}?v=4",
            ["type"] = "User",
            ["site_admin"] = false,
            ["name"] = user.Name,
        }.ToJsonString());
    }

    private async Task MembershipAsync(HttpContext context, RecordedRequest request)
    {
        var user = OAuthUserOf(context.Request);
        var org = request.Path["/user/memberships/orgs/".Length..];
        context.Response.ContentType = "application/json; charset=utf-8";
        if (user is null || !user.Orgs.Contains(org, StringComparer.OrdinalIgnoreCase))
        {
            request.Status = 404;
            context.Response.StatusCode = 404;
            await context.Response.WriteAsync("""{"message":"Not Found","documentation_url":"https://docs.github.com/rest/orgs/members#get-an-organization-membership-for-the-authenticated-user"}""");
            return;
        }

        request.Status = 200;
        await context.Response.WriteAsync(new JsonObject
        {
            ["state"] = "active",
            ["role"] = "member",
            ["organization"] = new JsonObject { ["login"] = org },
            ["user"] = new JsonObject { ["login"] = user.Login, ["id"] = user.Id },
        }.ToJsonString());
    }

    private FakeOAuthUser? OAuthUserOf(HttpRequest request)
    {
        var header = request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.Ordinal) ? header[7..] : header.StartsWith("token ", StringComparison.Ordinal) ? header[6..] : "";
        return _oauthTokens.TryGetValue(token, out var user) ? user : null;
    }
}

/// <summary>A GitHub account that signs in through the fake; <see cref="Token"/> is what the exchange hands out.</summary>
public sealed record FakeOAuthUser(long Id, string Login, string? Name = null, params string[] Orgs)
{
    public string Token { get; init; } = "gho_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(18));
}

/// <summary>What GitHub remembered when the user authorized: the code it sent back and what the code is bound to.</summary>
public sealed record FakeAuthorization(string Code, string State, string RedirectUri, string Scope, string Challenge, string ChallengeMethod, FakeOAuthUser User);
