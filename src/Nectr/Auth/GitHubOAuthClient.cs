using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.GitHub;

namespace Nectr.Auth;

/// <summary>
/// The calls sign-in makes: the code-for-token exchange on <c>GITHUB_WEB_URL</c>, and <c>/user</c> and organisation
/// membership on <c>GITHUB_API_URL</c> with the user's own token (never the service's).
/// </summary>
internal sealed class GitHubOAuthClient(HttpClient http, IOptions<AuthOptions> auth, IOptions<GitHubOptions> gitHub)
{
    public async Task<TokenExchange> ExchangeCodeAsync(string code, string redirectUri, string codeVerifier, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(gitHub.Value.WebUrl, "login/oauth/access_token"))
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["client_id"] = auth.Value.ClientId!,
                ["client_secret"] = auth.Value.ClientSecret!,
                ["code"] = code,
                ["redirect_uri"] = redirectUri,
                ["code_verifier"] = codeVerifier,
            }),
        };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new GitHubApiException(response.StatusCode, "POST", "login/oauth/access_token", null);
        }

        // GitHub answers 200 with {"error": …} for a refused exchange.
        var body = await ReadAsync(response, OAuthJsonContext.Default.TokenResponse, "login/oauth/access_token", cancellationToken);
        return body.AccessToken is { Length: > 0 } token
            ? new TokenExchange(token, body.Scope ?? "", null, null)
            : new TokenExchange(null, null, body.Error ?? "no_token", body.ErrorDescription);
    }

    public async Task<OAuthUser> GetUserAsync(string token, CancellationToken cancellationToken)
    {
        using var response = await SendAsync("user", token, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new GitHubApiException(response.StatusCode, "GET", "user", null);
        }

        return await ReadAsync(response, OAuthJsonContext.Default.OAuthUser, "user", cancellationToken);
    }

    /// <summary>Whether the token's user is an active member of <paramref name="org"/> (needs <c>read:org</c>).</summary>
    public async Task<OrgMembership> GetOrgMembershipAsync(string token, string org, CancellationToken cancellationToken)
    {
        var path = $"user/memberships/orgs/{Uri.EscapeDataString(org)}";
        using var response = await SendAsync(path, token, cancellationToken);
        switch (response.StatusCode)
        {
            case HttpStatusCode.NotFound:
                return OrgMembership.NotMember;
            case HttpStatusCode.Forbidden:
                // The organisation restricts OAuth App access, or the token lacks read:org.
                return OrgMembership.Restricted;
            case var status when !response.IsSuccessStatusCode:
                throw new GitHubApiException(status, "GET", path, null);
            default:
                var membership = await ReadAsync(response, OAuthJsonContext.Default.MembershipResponse, path, cancellationToken);
                return membership.State == "active" ? OrgMembership.Active : OrgMembership.Pending;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(string path, string token, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(gitHub.Value.ApiUrl, path));
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        request.Headers.Accept.ParseAdd("application/vnd.github+json");
        request.Headers.Add("X-GitHub-Api-Version", "2022-11-28");
        return await http.SendAsync(request, cancellationToken);
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type, string path, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync(type, cancellationToken)
                ?? throw new GitHubApiException(HttpStatusCode.BadGateway, "read", path, "empty answer");
        }
        catch (JsonException)
        {
            throw new GitHubApiException(HttpStatusCode.BadGateway, "read", path, "the answer is not the JSON GitHub sends");
        }
    }
}

/// <summary>The token, or GitHub's reason for refusing the exchange (<c>bad_verification_code</c>, <c>redirect_uri_mismatch</c>, …).</summary>
internal sealed record TokenExchange(string? AccessToken, string? Scopes, string? Error, string? ErrorDescription);

internal enum OrgMembership { Active, Pending, NotMember, Restricted }

internal sealed record OAuthUser(long Id, string Login, string? Name, string? AvatarUrl);

internal sealed record TokenResponse(string? AccessToken, string? TokenType, string? Scope, string? Error, string? ErrorDescription);

internal sealed record MembershipResponse(string? State, string? Role);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(TokenResponse))]
[JsonSerializable(typeof(OAuthUser))]
[JsonSerializable(typeof(MembershipResponse))]
internal sealed partial class OAuthJsonContext : JsonSerializerContext;
