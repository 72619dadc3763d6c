namespace Nectr.Configuration;

/// <summary>
/// The repository sync runner (<c>Sync/</c>): the resumable background work started when a repository is connected,
/// and the knowledge backfill it runs.
/// </summary>
internal sealed class SyncOptions
{
    internal static readonly IntSetting ConcurrencySetting = new("SYNC_CONCURRENCY", 1, 0, 16);
    internal static readonly IntSetting MaxAttemptsSetting = new("SYNC_MAX_ATTEMPTS", 5, 1, 50);
    internal static readonly IntSetting BackfillPullRequestsSetting = new("KNOWLEDGE_BACKFILL_PRS", 200, 0, 5000);

    [ConfigurationKeyName("SYNC_CONCURRENCY")] public string? ConcurrencyText { get; set; }
    [ConfigurationKeyName("SYNC_MAX_ATTEMPTS")] public string? MaxAttemptsText { get; set; }
    [ConfigurationKeyName("KNOWLEDGE_BACKFILL_PRS")] public string? BackfillPullRequestsText { get; set; }

    /// <summary>Sync jobs this process runs at once; 0 leaves them to other instances (jobs are still queued).</summary>
    public int Concurrency => ConcurrencySetting.Read(ConcurrencyText);

    /// <summary>Runs in a row without progress (failed steps, or a process that died mid-step) before a job is parked.</summary>
    public int MaxAttempts => MaxAttemptsSetting.Read(MaxAttemptsText);

    /// <summary>How many of the most recently updated closed pull requests the knowledge backfill reads; 0 turns it off.</summary>
    public int BackfillPullRequests => BackfillPullRequestsSetting.Read(BackfillPullRequestsText);
}

internal sealed class SyncOptionsValidator : OptionsValidator<SyncOptions>
{
    protected override void Check(SyncOptions options, List<string> errors)
    {
        SyncOptions.ConcurrencySetting.Check(options.ConcurrencyText, errors);
        SyncOptions.MaxAttemptsSetting.Check(options.MaxAttemptsText, errors);
        SyncOptions.BackfillPullRequestsSetting.Check(options.BackfillPullRequestsText, errors);
    }
}
