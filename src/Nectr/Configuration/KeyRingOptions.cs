using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Nectr.Configuration;

/// <summary>
/// How the Data Protection key ring is encrypted at rest: <c>DATA_PROTECTION_CERT_PATH</c> (a PFX) encrypts new keys,
/// <c>DATA_PROTECTION_PREVIOUS_CERT_PATH</c> still decrypts keys written before a certificate rotation; and what to do
/// with stored secrets the ring can no longer decrypt (<c>NECTR_RESET_SECRETS</c>).
/// </summary>
internal sealed class KeyRingOptions
{
    public const string CreateKeyRingCertificate =
        "`openssl req -x509 -newkey rsa:3072 -nodes -days 3650 -subj /CN=nectr-key-ring -keyout key.pem -out cert.pem && " +
        "openssl pkcs12 -export -inkey key.pem -in cert.pem -out nectr-key-ring.pfx`";

    internal static readonly BoolSetting AllowUnencryptedSetting = new("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", false);
    internal static readonly BoolSetting ResetSecretsSetting = new("NECTR_RESET_SECRETS", false);

    [ConfigurationKeyName(AppEnvironment.Key)] public string? AppEnvText { get; set; }
    [ConfigurationKeyName("DATA_PROTECTION_CERT_PATH")] public string? CertificatePath { get; set; }
    [ConfigurationKeyName("DATA_PROTECTION_CERT_PASSWORD")] public string? CertificatePassword { get; set; }
    [ConfigurationKeyName("DATA_PROTECTION_PREVIOUS_CERT_PATH")] public string? PreviousCertificatePath { get; set; }
    [ConfigurationKeyName("DATA_PROTECTION_PREVIOUS_CERT_PASSWORD")] public string? PreviousCertificatePassword { get; set; }
    [ConfigurationKeyName("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS")] public string? AllowUnencryptedText { get; set; }
    [ConfigurationKeyName("NECTR_RESET_SECRETS")] public string? ResetSecretsText { get; set; }

    public bool IsProduction => AppEnvironment.IsProduction(AppEnvText);

    /// <summary>Production starts without a certificate.</summary>
    public bool AllowUnencrypted => AllowUnencryptedSetting.Read(AllowUnencryptedText);

    /// <summary>Forget stored tokens and webhook secrets that the key ring can no longer decrypt, instead of refusing to start.</summary>
    public bool ResetSecrets => ResetSecretsSetting.Read(ResetSecretsText);

    /// <summary>Opens the current certificate (a file read: call once, at registration); null when none is configured.</summary>
    public X509Certificate2? LoadCertificate() => Load("DATA_PROTECTION_CERT_PATH", CertificatePath, "DATA_PROTECTION_CERT_PASSWORD", CertificatePassword, []);

    /// <summary>Opens the certificate of before the last rotation; null when none is configured.</summary>
    public X509Certificate2? LoadPreviousCertificate() =>
        Load("DATA_PROTECTION_PREVIOUS_CERT_PATH", PreviousCertificatePath, "DATA_PROTECTION_PREVIOUS_CERT_PASSWORD", PreviousCertificatePassword, []);

    /// <summary>Opens the PFX named by <paramref name="pathKey"/>; every failure names the variable, never the password.</summary>
    internal static X509Certificate2? Load(string pathKey, string? rawPath, string passwordKey, string? rawPassword, List<string> errors)
    {
        var path = Setting.Text(rawPath);
        var password = rawPassword is { Length: > 0 } ? rawPassword : null;
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

        byte[] pfx;
        try
        {
            // Read here rather than by the PKCS#12 loader, which reports a file it cannot read as a wrong password.
            pfx = File.ReadAllBytes(path);
        }
        catch (Exception ex) when (ex is UnauthorizedAccessException or IOException)
        {
            errors.Add($"{pathKey} '{path}' cannot be read ({ex.Message}). Let the user Nectr runs as read it, e.g. chmod 440 and chgrp to its group.");
            return null;
        }

        X509Certificate2 certificate;
        try
        {
            // Ephemeral: the private key stays in memory instead of being written to a key store (not supported on macOS).
            var flags = OperatingSystem.IsMacOS() ? X509KeyStorageFlags.DefaultKeySet : X509KeyStorageFlags.EphemeralKeySet;
            certificate = X509CertificateLoader.LoadPkcs12(pfx, password, flags);
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

/// <summary>Each configured PFX must open with its password and hold an RSA key; production needs one or an explicit waiver.</summary>
internal sealed class KeyRingOptionsValidator : OptionsValidator<KeyRingOptions>
{
    protected override void Check(KeyRingOptions options, List<string> errors)
    {
        KeyRingOptions.AllowUnencryptedSetting.Check(options.AllowUnencryptedText, errors);
        KeyRingOptions.ResetSecretsSetting.Check(options.ResetSecretsText, errors);
        using var current = KeyRingOptions.Load("DATA_PROTECTION_CERT_PATH", options.CertificatePath, "DATA_PROTECTION_CERT_PASSWORD", options.CertificatePassword, errors);
        using var previous = KeyRingOptions.Load("DATA_PROTECTION_PREVIOUS_CERT_PATH", options.PreviousCertificatePath,
            "DATA_PROTECTION_PREVIOUS_CERT_PASSWORD", options.PreviousCertificatePassword, errors);
        if (options.IsProduction && Setting.Text(options.CertificatePath) is null && !options.AllowUnencrypted)
        {
            errors.Add("APP_ENV=production needs DATA_PROTECTION_CERT_PATH: the Data Protection key ring (table data_protection_keys) decrypts every stored GitHub token "
                + "and webhook secret, and without a certificate it is stored unencrypted next to them. Create a PFX with " + KeyRingOptions.CreateKeyRingCertificate
                + ", set DATA_PROTECTION_CERT_PATH to it and DATA_PROTECTION_CERT_PASSWORD to its export password, and back it up with the database; "
                + "or set DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true to accept an unencrypted key ring (e.g. when the database itself is encrypted and access-controlled).");
        }

        if (current is null && previous is not null)
        {
            errors.Add("DATA_PROTECTION_PREVIOUS_CERT_PATH only reads keys written before a rotation; set DATA_PROTECTION_CERT_PATH to the current certificate as well.");
        }
    }
}
