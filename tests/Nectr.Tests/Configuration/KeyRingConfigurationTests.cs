using Microsoft.Extensions.Configuration;
using Nectr.Configuration;

namespace Nectr.Tests.Configuration;

/// <summary>DATA_PROTECTION_*: production demands an encrypted key ring or an explicit waiver; a bad PFX stops start-up with its fix.</summary>
public sealed class KeyRingConfigurationTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("nectr-keyring-").FullName;

    private static StartupOptions Load(params (string Key, string Value)[] values) =>
        NectrConfiguration.Load(new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value)))
            .Build());

    private static readonly (string, string)[] Production =
    [
        ("APP_ENV", "production"), ("BACKEND_URL", "https://nectr.example.com"),
        ("GITHUB_WEBHOOK_SECRET", "0123456789abcdef0123"), ("AUTH_ALLOWED_USERS", "octocat"),
    ];

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void Production_without_a_certificate_or_the_waiver_is_refused_with_both_fixes()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(Production));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith("APP_ENV=production needs DATA_PROTECTION_CERT_PATH", problem, StringComparison.Ordinal);
        Assert.Contains("openssl pkcs12 -export", problem, StringComparison.Ordinal);
        Assert.Contains("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS=true", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Production_with_the_waiver_starts_without_a_certificate()
    {
        var options = Load([.. Production, ("DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS", "true")]);

        Assert.Null(options.KeyRing.LoadCertificate());
        Assert.True(options.KeyRing.AllowUnencrypted);
    }

    [Fact]
    public void Production_with_a_readable_certificate_loads_it_with_its_private_key()
    {
        var pfx = KeyRingCertificate.Create(_directory);

        var options = Load([.. Production, ("DATA_PROTECTION_CERT_PATH", pfx.Path), ("DATA_PROTECTION_CERT_PASSWORD", pfx.Password)]);

        using var certificate = options.KeyRing.LoadCertificate();
        Assert.Equal(pfx.Thumbprint, certificate?.Thumbprint);
        Assert.True(certificate!.HasPrivateKey);
    }

    [Fact]
    public void A_missing_pfx_names_the_path_variable_and_how_to_create_one()
    {
        var missing = Path.Combine(_directory, "absent.pfx");

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PATH", missing), ("DATA_PROTECTION_CERT_PASSWORD", "pw")));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"DATA_PROTECTION_CERT_PATH '{missing}' does not exist", problem, StringComparison.Ordinal);
        Assert.Contains("openssl req -x509", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_wrong_password_names_the_password_variable_without_repeating_it()
    {
        var pfx = KeyRingCertificate.Create(_directory);

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PATH", pfx.Path), ("DATA_PROTECTION_CERT_PASSWORD", "not-the-password-42")));

        var problem = Assert.Single(error.Problems);
        Assert.Contains("does not open with DATA_PROTECTION_CERT_PASSWORD", problem, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password-42", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_that_is_not_a_pfx_is_refused_like_a_wrong_password()
    {
        var path = Path.Combine(_directory, "cert.pem");
        File.WriteAllText(path, "-----BEGIN CERTIFICATE-----\nnot really\n-----END CERTIFICATE-----\n");

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PATH", path)));

        Assert.Contains("not a PKCS#12 (.pfx) file", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_certificate_without_an_rsa_key_is_refused()
    {
        var pfx = KeyRingCertificate.CreateEcdsa(_directory);

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PATH", pfx.Path), ("DATA_PROTECTION_CERT_PASSWORD", pfx.Password)));

        Assert.Contains("must hold an RSA certificate together with its private key", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void An_unreadable_pfx_names_the_path_variable_and_how_to_let_nectr_read_it()
    {
        // Root reads a file whatever its mode, so the path names a Unix socket: it exists, and opening it fails (ENXIO).
        Assert.SkipWhen(OperatingSystem.IsWindows(), "needs a Unix socket file");
        var path = Path.Combine(_directory, "key-ring.pfx");
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        socket.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PATH", path)));

        var problem = Assert.Single(error.Problems);
        Assert.StartsWith($"DATA_PROTECTION_CERT_PATH '{path}' cannot be read (", problem, StringComparison.Ordinal);
        Assert.EndsWith("). Let the user Nectr runs as read it, e.g. chmod 440 and chgrp to its group.", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void A_password_without_a_path_is_refused()
    {
        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_CERT_PASSWORD", "pw")));

        Assert.StartsWith("DATA_PROTECTION_CERT_PASSWORD is set but DATA_PROTECTION_CERT_PATH is not", Assert.Single(error.Problems), StringComparison.Ordinal);
    }

    [Fact]
    public void A_previous_certificate_alone_is_refused()
    {
        var pfx = KeyRingCertificate.Create(_directory);

        var error = Assert.Throws<InvalidConfigurationException>(() => Load(("DATA_PROTECTION_PREVIOUS_CERT_PATH", pfx.Path), ("DATA_PROTECTION_PREVIOUS_CERT_PASSWORD", pfx.Password)));

        Assert.StartsWith("DATA_PROTECTION_PREVIOUS_CERT_PATH only reads keys written before a rotation", Assert.Single(error.Problems), StringComparison.Ordinal);
    }
}
