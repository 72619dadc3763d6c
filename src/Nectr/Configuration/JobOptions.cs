namespace Nectr.Configuration;

/// <summary>How the review queue behaves in this process: how many reviews at once, leases, polling and retries.</summary>
internal sealed class JobOptions
{
    internal static readonly IntSetting ConcurrencySetting = new("REVIEW_CONCURRENCY", 4, 0, 64);
    internal static readonly IntSetting MaxAttemptsSetting = new("REVIEW_MAX_ATTEMPTS", 5, 1, 50);
    internal static readonly SecondsSetting LeaseSetting = new("REVIEW_LEASE_SECONDS", 30, 1, 3600);
    internal static readonly SecondsSetting PollSetting = new("REVIEW_POLL_SECONDS", 2, 0.05, 300);
    internal static readonly SecondsSetting RetryBaseSetting = new("REVIEW_RETRY_BASE_SECONDS", 15, 0.05, 3600);
    internal static readonly SecondsSetting RetryMaxSetting = new("REVIEW_RETRY_MAX_SECONDS", 1800, 0.05, 86400);

    [ConfigurationKeyName("REVIEW_CONCURRENCY")] public string? ConcurrencyText { get; set; }
    [ConfigurationKeyName("REVIEW_MAX_ATTEMPTS")] public string? MaxAttemptsText { get; set; }
    [ConfigurationKeyName("REVIEW_LEASE_SECONDS")] public string? LeaseText { get; set; }
    [ConfigurationKeyName("REVIEW_POLL_SECONDS")] public string? PollIntervalText { get; set; }
    [ConfigurationKeyName("REVIEW_RETRY_BASE_SECONDS")] public string? RetryBaseText { get; set; }
    [ConfigurationKeyName("REVIEW_RETRY_MAX_SECONDS")] public string? RetryMaxText { get; set; }

    /// <summary>Reviews this process runs at once; 0 makes it a web-only instance that stores and enqueues.</summary>
    public int Concurrency => ConcurrencySetting.Read(ConcurrencyText);
    public int MaxAttempts => MaxAttemptsSetting.Read(MaxAttemptsText);
    public TimeSpan Lease => LeaseSetting.Read(LeaseText);
    public TimeSpan PollInterval => PollSetting.Read(PollIntervalText);
    public TimeSpan RetryBase => RetryBaseSetting.Read(RetryBaseText);
    public TimeSpan RetryMax => RetryMaxSetting.Read(RetryMaxText);
}

internal sealed class JobOptionsValidator : OptionsValidator<JobOptions>
{
    protected override void Check(JobOptions options, List<string> errors)
    {
        JobOptions.ConcurrencySetting.Check(options.ConcurrencyText, errors);
        JobOptions.MaxAttemptsSetting.Check(options.MaxAttemptsText, errors);
        JobOptions.LeaseSetting.Check(options.LeaseText, errors);
        JobOptions.PollSetting.Check(options.PollIntervalText, errors);
        JobOptions.RetryBaseSetting.Check(options.RetryBaseText, errors);
        JobOptions.RetryMaxSetting.Check(options.RetryMaxText, errors);
    }
}
