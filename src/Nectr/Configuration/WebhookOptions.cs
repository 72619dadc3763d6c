namespace Nectr.Configuration;

/// <summary>Webhook intake: the fallback secret for repositories without their own, and the memory deliveries may hold.</summary>
internal sealed class WebhookOptions
{
    public const int MinimumSecretLength = 20;

    /// <summary>At least one delivery of GitHub's largest size (25 MB) must fit, or such a delivery could never be taken.</summary>
    internal static readonly IntSetting MaxInflightSetting = new("WEBHOOK_MAX_INFLIGHT_MB", 128, 25, 65536);

    /// <summary>Days a finished delivery keeps its raw body; 0 keeps every body for ever.</summary>
    internal static readonly IntSetting PayloadRetentionSetting = new("WEBHOOK_PAYLOAD_RETENTION_DAYS", 30, 0, 36_500);

    [ConfigurationKeyName(AppEnvironment.Key)] public string? AppEnvText { get; set; }
    [ConfigurationKeyName("GITHUB_WEBHOOK_SECRET")] public string? Secret { get; set => field = Setting.Text(value); }
    [ConfigurationKeyName("WEBHOOK_MAX_INFLIGHT_MB")] public string? MaxInflightText { get; set; }
    [ConfigurationKeyName("WEBHOOK_PAYLOAD_RETENTION_DAYS")] public string? PayloadRetentionText { get; set; }

    public bool IsProduction => AppEnvironment.IsProduction(AppEnvText);

    /// <summary>Webhook body bytes held in memory at once; beyond it deliveries get 503.</summary>
    public long MaxInflightBytes => MaxInflightSetting.Read(MaxInflightText) * 1024L * 1024;

    public int PayloadRetentionDays => PayloadRetentionSetting.Read(PayloadRetentionText);
}

internal sealed class WebhookOptionsValidator : OptionsValidator<WebhookOptions>
{
    protected override void Check(WebhookOptions options, List<string> errors)
    {
        WebhookOptions.MaxInflightSetting.Check(options.MaxInflightText, errors);
        WebhookOptions.PayloadRetentionSetting.Check(options.PayloadRetentionText, errors);
        if (!options.IsProduction)
        {
            return;
        }

        if (options.Secret is null)
        {
            errors.Add("APP_ENV=production needs GITHUB_WEBHOOK_SECRET: without it every webhook is refused. Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook.");
        }
        else if (options.Secret.Length < WebhookOptions.MinimumSecretLength)
        {
            // Anyone who guesses the secret can have any pull request reviewed on Nectr's budget.
            errors.Add($"APP_ENV=production needs GITHUB_WEBHOOK_SECRET to be at least {WebhookOptions.MinimumSecretLength} characters; a short secret can be guessed. "
                + "Generate one with `openssl rand -hex 32` and set the same value on the GitHub webhook.");
        }
    }
}
