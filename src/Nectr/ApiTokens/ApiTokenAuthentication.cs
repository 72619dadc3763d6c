using System.Globalization;
using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Nectr.Auth;

namespace Nectr.ApiTokens;

/// <summary>
/// <c>Authorization: Bearer nectr_…</c>: a personal API token. Used only where a policy names this scheme (the MCP
/// routes), never as a default, so the token signs nothing else in and the session cookie signs nothing in here.
/// </summary>
internal sealed class ApiTokenAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, ApiTokenStore tokens)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "NectrApiToken";

    /// <summary>The claim naming the token (its row id) a request came with: the rate limiter partitions by it.</summary>
    public const string TokenIdClaim = "nectr:tid";

    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers.Authorization.ToString();
        if (header.Length == 0)
        {
            return AuthenticateResult.NoResult();
        }

        if (!header.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("Not a bearer token.");
        }

        // Unknown, revoked and malformed look the same, and nothing about the token is logged.
        if (await tokens.AuthenticateAsync(header[BearerPrefix.Length..].Trim(), Context.RequestAborted) is not { } owner)
        {
            return AuthenticateResult.Fail("The API token is not valid.");
        }

        var tokenId = owner.TokenId.ToString(CultureInfo.InvariantCulture);
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                new Claim(NectrClaims.UserId, owner.UserId.ToString(CultureInfo.InvariantCulture)),
                new Claim(TokenIdClaim, tokenId),
                // The SDK binds a legacy SSE session to this claim, so another token cannot post into it.
                new Claim(ClaimTypes.NameIdentifier, "token:" + tokenId),
            ],
            SchemeName));
        return AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName));
    }

    /// <summary>401 with the header RFC 6750 asks for, naming the error when a token was presented.</summary>
    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers.WWWAuthenticate = Request.Headers.Authorization.Count > 0
            ? "Bearer realm=\"nectr\", error=\"invalid_token\""
            : "Bearer realm=\"nectr\"";
        return Task.CompletedTask;
    }
}
