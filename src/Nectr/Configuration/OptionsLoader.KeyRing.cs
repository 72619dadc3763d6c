using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nectr.Configuration;

/// <summary>The certificate that encrypts the Data Protection key ring, and production's demand for one.</summary>
internal static partial class OptionsLoader
{
    public const string CreateKeyRingCertificate =
        "`openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=nectr-key-ring -keyout key.pem -out cert.pem && " +
        "openssl pkcs12 -export -inkey key.pem -in cert.pem -out nectr-key-ring.pfx`";

    private static KeyRingOptions KeyRing(IConfiguration config, bool production, List<string> errors)
    {
        var allowUnencrypted = Bool(config, "DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", false, errors);
        var current = Certificate(config, "DATA_PROTECTION_CERT_PATH", "DATA_PROTECTION_CERT_PASSWORD", errors);
        var previous = Certificate(config, "DATA_PROTECTION_PREVIOUS_CERT_PATH", "DATA_PROTECTION_PREVIOUS_CERT_PASSWORD", errors);
        if (production && Text(config, "DATA_PROTECTION_CERT_PATH") is null && !allowUnencrypted)
        {
            errors.Add("APP_ENV=production needs DATA_PROTECTION_CERT_PATH: the Data Protection key ring (table data_protection_keys) decrypts every stored GitHub token "
                + "and webhook secret, and without a certificate it is stored unencrypted next to them. Create a PFX with " + CreateKeyRingCertificate
                + ", set DATA_PROTECTION_CERT_PATH to it and DATA_PROTECTION_CERT_PASSWORD to its export password, and back it up with the database; "
                + "or set DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true to accept an unencrypted key ring (e.g. when the database itself is encrypted and access-controlled).");
        }

        if (current is null && previous is not null)
        {
            errors.Add("DATA_PROTECTION_PREVIOUS_CERT_PATH only reads keys written before a rotation; set DATA_PROTECTION_CERT_PATH to the current certificate as well.");
        }

        return new KeyRingOptions { Certificate = current, PreviousCertificate = previous, AllowUnencrypted = allowUnencrypted };
    }

    /// <summary>Opens the PFX named by <paramref name="pathKey"/>; every failure names the variable, never the password.</summary>
    private static X509Certificate2? Certificate(IConfiguration config, string pathKey, string passwordKey, List<string> errors)
    {
        var path = Text(config, pathKey);
        var password = config[passwordKey] is { Length: > 0 } value ? value : null;
        if (path is null)
        {
            if (password is not null)
            {
                errors.Add($"{passwordKey} is set but {pathKey} is not: set {pathKey} to the PFX file the password opens.");
            }

            return null;
        }

        if (!File.Exists(path))
        {
            // Checked first: the PKCS#12 loader reports a missing file as a CryptographicException, like a wrong password.
            errors.Add($"{pathKey} '{path}' does not exist. Point it at the PFX file (mounted into the container if Nectr runs in one), or create one with {CreateKeyRingCertificate}.");
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in memory instead of being written to a key store (not supported on macOS).
            var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
            certificate = X509CertificateLoader.LoadPkcs12FromFile(path, password, flags);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            errors.Add($"{pathKey} '{path}' cannot be read ({ex.Message}). Let the user Nectr runs as read it, e.g. chmod 440 and chgrp to its group.");
            return null;
        }
        catch (CryptographicException)
        {
            errors.Add($"{pathKey} '{path}' does not open with {passwordKey}: the password is wrong or the file is not a PKCS#12 (.pfx) file. "
                + $"Set {passwordKey} to the password given to `openssl pkcs12 -export`.");
            return null;
        }

        using var key = certificate.GetRSAPrivateKey();
        if (key is null)
        {
            certificate.Dispose();
            errors.Add($"{pathKey} '{path}' must hold an RSA certificate together with its private key (Data Protection encrypts with RSA); create one with {CreateKeyRingCertificate}.");
            return null;
        }

        return certificate;
    }
}
