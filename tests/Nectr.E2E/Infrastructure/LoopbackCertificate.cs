using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// A throwaway self-signed certificate for 127.0.0.1 and localhost, written as a PFX that Kestrel loads through its
/// ordinary configuration (<c>Kestrel__Certificates__Default__Path</c>), or as PEM files for nginx. Dashboard tests need real HTTPS: the session and
/// antiforgery cookies are <c>__Host-</c> and Secure, and antiforgery refuses to issue tokens over plain HTTP.
/// </summary>
internal sealed class LoopbackCertificate
{
    private LoopbackCertificate(string path, string password, string thumbprint)
    {
        Path = path;
        Password = password;
        Thumbprint = thumbprint;
    }

    public string Path { get; }
    public string Password { get; }
    public string Thumbprint { get; }

    public static LoopbackCertificate Create(string directory)
    {
        using var certificate = SelfSigned(out var key);
        using var _ = key;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = System.IO.Path.Combine(directory, "loopback.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new LoopbackCertificate(path, password, certificate.GetCertHashString());
    }

    /// <summary>The same kind of certificate as PEM files (certificate, unencrypted PKCS#8 key), as nginx reads them.</summary>
    public static (string Certificate, string Key) CreatePem(string directory)
    {
        using var certificate = SelfSigned(out var key);
        using var _ = key;
        var certificatePath = System.IO.Path.Combine(directory, "loopback.crt");
        var keyPath = System.IO.Path.Combine(directory, "loopback.key");
        File.WriteAllText(certificatePath, certificate.ExportCertificatePem());
        File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        return (certificatePath, keyPath);
    }

    private static X509Certificate2 SelfSigned(out RSA key)
    {
        key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
    }
}
