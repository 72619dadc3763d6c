using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.WebUtilities;

namespace Nectr.Auth;

/// <summary>
/// The browser's half of one sign-in attempt: a random <c>state</c>, the PKCE verifier and an expiry, encrypted with
/// Data Protection in the <c>__Host-nectr-oauth</c> cookie. Only the browser that started the sign-in holds it, so a
/// callback URL forged for another browser fails; each state is accepted once.
/// </summary>
internal sealed class OAuthState(IDataProtectionProvider protection, TimeProvider time)
{
    public const string CookieName = "__Host-nectr-oauth";
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(10);

    private readonly IDataProtector _protector = protection.CreateProtector("Nectr.OAuthState.v1");

    // States already used, until they would have expired anyway. Per process: a replay on another instance still
    // fails at GitHub, which accepts each code once.
    private readonly ConcurrentDictionary<string, DateTimeOffset> _used = new(StringComparer.Ordinal);

    /// <summary>Starts an attempt: sets the cookie and returns what goes into the authorize URL.</summary>
    public PendingSignIn Begin(HttpContext context, string returnUrl)
    {
        var now = time.GetUtcNow();
        var pending = new PendingSignIn(Random(), Random(), now + Lifetime, returnUrl);
        var payload = JsonSerializer.Serialize(pending, OAuthStateJsonContext.Default.PendingSignIn);
        context.Response.Cookies.Append(CookieName, _protector.Protect(payload), CookieOptions(context, now + Lifetime));
        return pending;
    }

    /// <summary>
    /// Ends the attempt whatever happens next (the cookie is deleted) and checks the returned state against it.
    /// Nothing is sent to GitHub unless this answers <see cref="StateCheck.Valid"/>.
    /// </summary>
    public (StateCheck Check, PendingSignIn? SignIn) Complete(HttpContext context, string? returnedState)
    {
        var cookie = context.Request.Cookies[CookieName];
        context.Response.Cookies.Delete(CookieName, CookieOptions(context, DateTimeOffset.UnixEpoch));
        if (cookie is null)
        {
            return (StateCheck.NoCookie, null);
        }

        PendingSignIn? pending;
        try
        {
            pending = JsonSerializer.Deserialize(_protector.Unprotect(cookie), OAuthStateJsonContext.Default.PendingSignIn);
        }
        catch (Exception ex) when (ex is CryptographicException or JsonException or FormatException)
        {
            return (StateCheck.NoCookie, null);
        }

        if (pending is null)
        {
            return (StateCheck.NoCookie, null);
        }

        if (string.IsNullOrEmpty(returnedState))
        {
            return (StateCheck.Missing, pending);
        }

        if (!CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(returnedState), Encoding.UTF8.GetBytes(pending.State)))
        {
            return (StateCheck.Mismatch, pending);
        }

        var now = time.GetUtcNow();
        if (now >= pending.ExpiresAt)
        {
            return (StateCheck.Expired, pending);
        }

        Prune(now);
        return _used.TryAdd(pending.State, pending.ExpiresAt) ? (StateCheck.Valid, pending) : (StateCheck.Reused, pending);
    }

    /// <summary>The S256 PKCE challenge of a verifier: base64url(SHA-256(ASCII(verifier))).</summary>
    public static string Challenge(string verifier) => WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private void Prune(DateTimeOffset now)
    {
        foreach (var (state, expires) in _used)
        {
            if (expires <= now)
            {
                _used.TryRemove(state, out _);
            }
        }
    }

    // 32 random bytes: 43 base64url characters, within PKCE's 43–128 for the verifier.
    private static string Random() => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(32));

    private static CookieOptions CookieOptions(HttpContext context, DateTimeOffset expires) => new()
    {
        // __Host-: Secure, Path=/ and no Domain, so no other host or path can plant or read it. Lax lets GitHub's
        // top-level redirect back to the callback carry it. Over plain HTTP (development) it cannot be Secure, and
        // PlainHttpCookies drops the prefix on the wire; production refuses plain HTTP before sign-in starts.
        Secure = context.Request.IsHttps,
        HttpOnly = true,
        SameSite = SameSiteMode.Lax,
        Path = "/",
        Expires = expires,
        IsEssential = true,
    };
}

internal enum StateCheck { Valid, NoCookie, Missing, Mismatch, Expired, Reused }

internal sealed record PendingSignIn(string State, string Verifier, DateTimeOffset ExpiresAt, string ReturnUrl);

[JsonSerializable(typeof(PendingSignIn))]
internal sealed partial class OAuthStateJsonContext : JsonSerializerContext;
