using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Nectr.Data;

namespace Nectr.Auth;

/// <summary>What the session cookie says about its user: Nectr's user id, GitHub id and login. Never a token.</summary>
internal static class NectrClaims
{
    public const string UserId = "nectr:uid";
    public const string GitHubId = "nectr:ghid";
    public const string Login = "nectr:login";

    public static ClaimsPrincipal PrincipalFor(UserRecord user) => new(new ClaimsIdentity(
        [
            new Claim(UserId, user.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(GitHubId, user.GitHubId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            new Claim(Login, user.Login),
        ],
        CookieAuthenticationDefaults.AuthenticationScheme, Login, null));

    /// <summary>The signed-in user's Nectr id, or null for an anonymous request.</summary>
    public static long? NectrUserId(this ClaimsPrincipal principal) =>
        long.TryParse(principal.FindFirstValue(UserId), System.Globalization.CultureInfo.InvariantCulture, out var id) ? id : null;

    public static string? NectrLogin(this ClaimsPrincipal principal) => principal.FindFirstValue(Login);

    public static Task SignInAsync(HttpContext context, UserRecord user) =>
        context.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, PrincipalFor(user),
            new AuthenticationProperties { IsPersistent = true, IssuedUtc = DateTimeOffset.UtcNow });
}
