namespace Nectr.Configuration;

/// <summary>Project memory: whether reviews teach it, how long that may take after a review is posted, and how many a repository keeps.</summary>
internal sealed class MemoryOptions
{
    internal static readonly BoolSetting ExtractionSetting = new("MEMORY_EXTRACTION", true);

    // One short model call after the review is posted: long enough for a slow provider's small answer, short enough
    // that the job (and its lease) is not held long by a stalled one. The review is already on GitHub either way.
    internal static readonly SecondsSetting ExtractionTimeoutSetting = new("MEMORY_EXTRACTION_TIMEOUT_SECONDS", 20, 1, 300);

    // Enough for years of a busy repository once near-duplicates merge (extraction adds at most 4 a review), few enough
    // that the near-duplicate check, which reads a repository's memories of one type, stays a small read.
    internal static readonly IntSetting MaxPerRepositorySetting = new("MEMORY_MAX_PER_REPOSITORY", 1000, 10, 100_000);

    [ConfigurationKeyName("MEMORY_EXTRACTION")] public string? ExtractionText { get; set; }
    [ConfigurationKeyName("MEMORY_EXTRACTION_TIMEOUT_SECONDS")] public string? ExtractionTimeoutText { get; set; }
    [ConfigurationKeyName("MEMORY_MAX_PER_REPOSITORY")] public string? MaxPerRepositoryText { get; set; }

    /// <summary>After each review, when an LLM is configured, ask it for 0–4 memories worth keeping.</summary>
    public bool Extraction => ExtractionSetting.Read(ExtractionText);

    /// <summary>The wall time of one extraction, its model call included; past it the extraction is abandoned.</summary>
    public TimeSpan ExtractionTimeout => ExtractionTimeoutSetting.Read(ExtractionTimeoutText);

    /// <summary>
    /// Memories one repository keeps at most. At it a person's new memory is refused (409) until one is deleted;
    /// extraction makes room by deleting its own least recently updated memory, never a person's or the project scan's.
    /// </summary>
    public int MaxPerRepository => MaxPerRepositorySetting.Read(MaxPerRepositoryText);
}

internal sealed class MemoryOptionsValidator : OptionsValidator<MemoryOptions>
{
    protected override void Check(MemoryOptions options, List<string> errors)
    {
        MemoryOptions.ExtractionSetting.Check(options.ExtractionText, errors);
        MemoryOptions.ExtractionTimeoutSetting.Check(options.ExtractionTimeoutText, errors);
        MemoryOptions.MaxPerRepositorySetting.Check(options.MaxPerRepositoryText, errors);
    }
}
