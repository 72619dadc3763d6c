using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nectr.E2E.Infrastructure;

/// <summary>
/// A throwaway self-signed certificate for 127.0.0.1, written as a PFX that Kestrel loads through its ordinary
/// configuration (<c>Kestrel__Certificates__Default__Path</c>). Dashboard tests need real HTTPS: the session and
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
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(System.Net.IPAddress.Loopback);
        names.AddDnsName("localhost");
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        var path = System.IO.Path.Combine(directory, "loopback.pfx");
        File.WriteAllBytes(path, certificate.Export(X509ContentType.Pfx, password));
        return new LoopbackCertificate(path, password, certificate.GetCertHashString());
    }
}
