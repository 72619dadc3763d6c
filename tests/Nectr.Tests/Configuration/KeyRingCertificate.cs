using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nectr.Tests.Configuration;

/// <summary>A throwaway RSA certificate written as a password-protected PFX, as an operator would make for DATA_PROTECTION_CERT_PATH.</summary>
public sealed record KeyRingCertificate(string Path, string Password, string Thumbprint)
{
    public static KeyRingCertificate Create(string directory, string name = "key-ring.pfx")
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=nectr-key-ring-test", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        var password = "pfx;pass=" + Convert.ToHexString(RandomNumberGenerator.GetBytes(8));
        var path = System.IO.Path.Combine(directory, name);
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new KeyRingCertificate(path, password, certificate.Thumbprint);
    }

    /// <summary>An ECDSA certificate: a valid PFX that Data Protection cannot encrypt with.</summary>
    public static KeyRingCertificate CreateEcdsa(string directory)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=nectr-ecdsa-test", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddYears(1));
        var path = System.IO.Path.Combine(directory, "ecdsa.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, "ecdsa"));
        return new KeyRingCertificate(path, "ecdsa", certificate.Thumbprint);
    }
}
