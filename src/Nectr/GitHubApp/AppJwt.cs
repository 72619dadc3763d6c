using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Nectr.GitHubApp;

/// <summary>
/// The JSON Web Token a GitHub App authenticates as itself with (<c>/app…</c> calls, and asking for installation
/// tokens): RS256, issued 60 s in the past (GitHub's advice against clock drift), expiring 9 minutes from now, so
/// exp − iat is GitHub's 10-minute maximum and exp is never more than 10 minutes ahead.
/// </summary>
internal static class AppJwt
{
    public static readonly TimeSpan Backdate = TimeSpan.FromSeconds(60);
    public static readonly TimeSpan Lifetime = TimeSpan.FromMinutes(9);

    // {"alg":"RS256","typ":"JWT"} never changes.
    private static readonly string Header = Base64Url.EncodeToString("""{"alg":"RS256","typ":"JWT"}"""u8);

    public static string Create(long appId, RSA key, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(key);
        var iat = (now - Backdate).ToUnixTimeSeconds();
        var exp = (now + Lifetime).ToUnixTimeSeconds();
        var payload = string.Create(CultureInfo.InvariantCulture, $$"""{"iat":{{iat}},"exp":{{exp}},"iss":{{appId}}}""");
        var signingInput = Header + "." + Base64Url.EncodeToString(Encoding.UTF8.GetBytes(payload));
        var signature = key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }
}
