using Microsoft.AspNetCore.DataProtection;
using Nectr.Configuration;

namespace Nectr.Auth;

/// <summary>
/// Encrypts the key ring's keys with the certificate from DATA_PROTECTION_CERT_PATH before <see cref="DatabaseKeyRing"/>
/// stores them, so a copy of the database alone does not open the GitHub tokens and webhook secrets it holds.
/// DATA_PROTECTION_PREVIOUS_CERT_PATH still decrypts keys written before a certificate rotation.
/// </summary>
internal static class KeyRingProtection
{
    public static IDataProtectionBuilder ProtectKeysWithConfiguredCertificate(this IDataProtectionBuilder builder, KeyRingOptions? keyRing)
    {
        // Data Protection wants the certificate at registration (the decryption options it fills are internal), so the
        // composition root passes the options validated at start-up. Without them (tools that only mint test cookies)
        // keys stay unencrypted, the framework's default.
        if (keyRing?.LoadCertificate() is { } certificate)
        {
            // Registers the certificate for encryption and for decryption by thumbprint, without needing a certificate store.
            builder.ProtectKeysWithCertificate(certificate);
        }

        if (keyRing?.LoadPreviousCertificate() is { } previous)
        {
            builder.UnprotectKeysWithAnyCertificate(previous);
        }

        return builder;
    }
}
