using System.Security.Cryptography;
using System.Text;

namespace Nectr.Webhooks;

internal enum SignatureCheck { Valid, Missing, Malformed, Mismatch, NoSecretConfigured }

/// <summary>
/// GitHub's <c>X-Hub-Signature-256</c>: HMAC-SHA256 of the raw body bytes. The header is checked before the body is
/// read (a missing or malformed one costs no reading at all), the HMAC is computed while the body arrives, and the
/// comparison is constant-time.
/// </summary>
internal static class WebhookSignature
{
    public const string HeaderName = "X-Hub-Signature-256";
    private const string Prefix = "sha256=";

    /// <summary>Reads the claimed digest from the header into <paramref name="claimed"/> (32 bytes).</summary>
    public static SignatureCheck ParseHeader(string? header, Span<byte> claimed)
    {
        if (string.IsNullOrEmpty(header))
        {
            return SignatureCheck.Missing;
        }

        if (!header.StartsWith(Prefix, StringComparison.Ordinal) || header.Length != Prefix.Length + 64)
        {
            return SignatureCheck.Malformed;
        }

        return Convert.FromHexString(header.AsSpan(Prefix.Length), claimed, out _, out var written) == System.Buffers.OperationStatus.Done && written == 32
            ? SignatureCheck.Valid
            : SignatureCheck.Malformed;
    }

    /// <summary>An HMAC to feed the body into as it is read.</summary>
    public static IncrementalHash CreateHmac(string secret) =>
        IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, Encoding.UTF8.GetBytes(secret));

    /// <summary>Finishes <paramref name="hmac"/> and compares it with the claimed digest in constant time.</summary>
    public static SignatureCheck Finish(IncrementalHash hmac, ReadOnlySpan<byte> claimed)
    {
        Span<byte> expected = stackalloc byte[32];
        hmac.GetHashAndReset(expected);
        return CryptographicOperations.FixedTimeEquals(expected, claimed) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }
}
