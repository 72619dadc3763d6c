using System.Security.Cryptography.X509Certificates;

namespace Nectr.Configuration;

/// <summary>
/// How the Data Protection key ring is encrypted at rest: <c>DATA_PROTECTION_CERT_PATH</c> (a PFX) encrypts new keys,
/// <c>DATA_PROTECTION_PREVIOUS_CERT_PATH</c> still decrypts keys written before a certificate rotation.
/// </summary>
internal sealed class KeyRingOptions
{
    public X509Certificate2? Certificate { get; init; }

    public X509Certificate2? PreviousCertificate { get; init; }

    /// <summary><c>DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS</c>: production starts without a certificate.</summary>
    public bool AllowUnencrypted { get; init; }
}
