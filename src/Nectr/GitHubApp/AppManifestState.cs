using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Nectr.GitHubApp;

/// <summary>What the callback's <c>state</c> check found.</summary>
internal enum ManifestStateCheck { Valid, NoCookie, Missing, Mismatch, Expired, OtherUser }

/// <summary>
/// The browser's half of one "create the App" attempt, as OAuth's state is (<c>Auth/OAuthState</c>): a random
/// <c>state</c>, the user who started it and an expiry, encrypted in the <c>__Host-nectr-app-manifest</c> cookie. Only
/// the browser (and user) that opened the form can complete it, so a callback link forged for someone else does
/// nothing; the cookie is deleted at the callback whatever happens, so each state is used once.
/// </summary>
internal sealed class AppManifestState(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "__Host-nectr-app-manifest";

    /// <summary>GitHub's manifest code is valid for an hour; the user may linger on GitHub's page for a while too.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(60);

    private readonly IDataProtector _protector = protection.CreateProtector("Nectr.AppManifestState.v1");

    /// <summary>Starts an attempt for <paramref name="userId"/>: sets the cookie and returns the state for the form's URL.</summary>
    public string Begin(HttpContext context, long userId)
    {
        var state = WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var expires = time.GetUtcNow() + Lifetime;
        var payload = string.Join('|', state, userId.ToString(CultureInfo.InvariantCulture), expires.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload), Options(context, expires));
        return state;
    }

    /// <summary>Ends the attempt (the cookie is deleted) and checks the returned state; GitHub is asked nothing unless it is valid.</summary>
    public ManifestStateCheck Complete(HttpContext context, long userId, string? returnedState)
    {
        var cookie = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, Options(context, DateTimeOffset.UnixEpoch));
        if (cookie is null || Read(cookie) is not { } pending)
        {
            return ManifestStateCheck.NoCookie;
        }

        if (string.IsNullOrEmpty(returnedState))
        {
            return ManifestStateCheck.Missing;
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(returnedState), Encoding.UTF8.GetBytes(pending.State)))
        {
            return ManifestStateCheck.Mismatch;
        }

        if (pending.UserId != userId)
        {
            return ManifestStateCheck.OtherUser;
        }

        return time.GetUtcNow() >= pending.ExpiresAt ? ManifestStateCheck.Expired : ManifestStateCheck.Valid;
    }

    private (string State, long UserId, DateTimeOffset ExpiresAt)? Read(string cookie)
    {
        try
        {
            var parts = _protector.Unprotect(cookie).Split('|');
            return parts.Length == 3
                && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var user)
                && long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var expires)
                ? (parts[0], user, DateTimeOffset.FromUnixTimeSeconds(expires))
                : null;
        }
        catch (CryptographicException)
        {
            return null;
        }
    }

    // As OAuth's cookie: __Host- (Secure, Path=/, no Domain), HttpOnly, and Lax so GitHub's top-level redirect back carries it.
    private static CookieOptions Options(HttpContext context, DateTimeOffset expires) => new()
    {
        Secure = context.Request.IsHttps,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}
