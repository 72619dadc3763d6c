using System.Globalization;
using System.Security.Cryptography;

namespace Nectr.Configuration;

/// <summary>
/// Nectr as a GitHub App: its id, its private key (PEM text, or a file holding it), the App's webhook secret and
/// optionally its slug. When set they win over an App created from the dashboard (the <c>github_apps</c> row).
/// </summary>
internal sealed class GitHubAppOptions
{
    private const string KeyFix = "Download a private key from the App's page (GitHub → Settings → Developer settings → GitHub Apps → your App → "
        + "Private keys) and set GITHUB_APP_PRIVATE_KEY to its PEM text (in .env as a quoted multi-line value) or GITHUB_APP_PRIVATE_KEY_PATH to the .pem file.";

    [ConfigurationKeyName("GITHUB_APP_ID")] public string? AppIdText { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_APP_PRIVATE_KEY")] public string? PrivateKeyText { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_APP_PRIVATE_KEY_PATH")] public string? PrivateKeyPath { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_APP_WEBHOOK_SECRET")] public string? WebhookSecret { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("GITHUB_APP_SLUG")] public string? Slug { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("REVIEW_COMMIT_STATUS")] public string? CommitStatusText { get; set; }

    internal static readonly BoolSetting CommitStatusSetting = new("REVIEW_COMMIT_STATUS", true);

    /// <summary>Without an App (or on a repository it is not installed on), report reviews as a <c>Nectr</c> commit status.</summary>
    public bool CommitStatus => CommitStatusSetting.Read(CommitStatusText);

    /// <summary>The App's id, or null when none is configured in the environment.</summary>
    public long? AppId => long.TryParse(AppIdText, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    /// <summary>The PEM text of the private key, from the variable or the file; null when neither is set or the file is unreadable.</summary>
    public string? PrivateKeyPem()
    {
        if (PrivateKeyText is { } text)
        {
            // A one-line value with literal \n (how many secret stores hold a PEM) is the same key.
            return text.Contains("\\n", StringComparison.Ordinal) && !text.Contains('\n', StringComparison.Ordinal) ? text.Replace("\\n", "\n", StringComparison.Ordinal) : text;
        }

        if (PrivateKeyPath is not { } path)
        {
            return null;
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return null;
        }
    }

    internal static void Check(GitHubAppOptions options, List<string> errors)
    {
        CommitStatusSetting.Check(options.CommitStatusText, errors);
        var keySet = options.PrivateKeyText is not null || options.PrivateKeyPath is not null;
        if (options.AppIdText is { } idText && options.AppId is null)
        {
            errors.Add($"GITHUB_APP_ID '{idText}' must be the App's numeric id (shown as \"App ID\" on the App's settings page), e.g. GITHUB_APP_ID=123456.");
            return;
        }

        if (options.PrivateKeyText is not null && options.PrivateKeyPath is not null)
        {
            errors.Add("GITHUB_APP_PRIVATE_KEY and GITHUB_APP_PRIVATE_KEY_PATH are both set: keep one (the PEM text, or the path of the .pem file).");
            return;
        }

        if (options.AppIdText is not null && !keySet)
        {
            errors.Add("GITHUB_APP_ID is set but the App's private key is not. " + KeyFix);
            return;
        }

        if (options.AppIdText is null && keySet)
        {
            errors.Add("A GitHub App private key is set but GITHUB_APP_ID is not: set GITHUB_APP_ID to the App's numeric id (\"App ID\" on the App's settings page), or unset the key.");
            return;
        }

        if (options.AppIdText is null && options.WebhookSecret is not null)
        {
            errors.Add("GITHUB_APP_WEBHOOK_SECRET is set but GITHUB_APP_ID is not: it verifies deliveries from a GitHub App, so set GITHUB_APP_ID and its private key too, or unset it.");
        }

        if (!keySet)
        {
            return;
        }

        if (options.PrivateKeyPem() is not { } pem)
        {
            errors.Add($"GITHUB_APP_PRIVATE_KEY_PATH '{options.PrivateKeyPath}' cannot be read: check that the file exists and that Nectr's user may read it.");
        }
        else if (!IsRsaKey(pem))
        {
            var where = options.PrivateKeyText is not null ? "GITHUB_APP_PRIVATE_KEY" : $"GITHUB_APP_PRIVATE_KEY_PATH '{options.PrivateKeyPath}'";
            errors.Add($"{where} is not an RSA private key in PEM form (-----BEGIN RSA PRIVATE KEY----- … or -----BEGIN PRIVATE KEY----- …). {KeyFix}");
        }
    }

    internal static bool IsRsaKey(string pem)
    {
        using var rsa = RSA.Create();
        try
        {
            rsa.ImportFromPem(pem);
            _ = rsa.ExportParameters(includePrivateParameters: true);
            return true;
        }
        catch (Exception ex) when (ex is ArgumentException or CryptographicException)
        {
            return false;
        }
    }
}

internal sealed class GitHubAppOptionsValidator : OptionsValidator<GitHubAppOptions>
{
    protected override void Check(GitHubAppOptions options, List<string> errors) => GitHubAppOptions.Check(options, errors);
}
