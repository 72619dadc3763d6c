using System.Text.RegularExpressions;

namespace Nectr.Engine.Budget;

/// <summary>
/// Files whose whole purpose is to hold credentials. They are never sent to a model, whatever the redactor would
/// find in them: a key file in an unusual format is still a key. The built-in secret check reads them as usual.
/// </summary>
public static partial class SensitiveFiles
{
    public const string Reason = "sensitive file: not sent to the model (built-in checks still ran)";

    public static bool IsSensitive(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var normalized = path.Replace('\\', '/');
        return SensitiveName().IsMatch(normalized[(normalized.LastIndexOf('/') + 1)..]);
    }

    // .env and .env.*, direnv; PEM/PKCS#12/Java/PuTTY key stores; SSH keys; cloud and package-registry credentials;
    // secrets.json/yaml and similar (data files only: secrets.py is code that handles secrets, and is reviewed);
    // Terraform variables and state (state files hold every secret a plan touched); kubeconfig; htpasswd; KeePass.
    [GeneratedRegex(
        @"^(\.env(\..+)?|\.envrc|.+\.pem|.+\.key|id_(rsa|dsa|ecdsa|ed25519)(\..*)?|.+\.p12|.+\.pfx|.+\.jks|.+\.keystore|.+\.ppk"
        + @"|credentials.*\.json|(.+\.)?secrets?\.(json|ya?ml|toml|ini|env|txt|xml|properties|conf|cfg)|service[-_]account.*\.json|\.npmrc|\.pypirc|\.netrc|_netrc"
        + @"|\.git-credentials|\.htpasswd|.+\.tfvars|.+\.tfstate(\.backup)?|kubeconfig|.+\.kdbx)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SensitiveName();
}
