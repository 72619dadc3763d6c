namespace Nectr.Memory;

/// <summary>
/// One memory as the API shows it (snake_case JSON: <c>memory_type</c>, <c>source_pull_number</c>, …). <c>created_by</c>
/// is the login of the user who wrote it, or <c>nectr</c> when Nectr wrote it (<c>source</c>: <c>extraction</c> after a
/// review, <c>project-scan</c>); null when the user who wrote it has since been deleted.
/// </summary>
internal sealed record MemoryView(
    long Id,
    string Repository,
    string MemoryType,
    string Content,
    string? Developer,
    int? SourcePullNumber,
    string? CreatedBy,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    string Source);

/// <summary>How many memories a repository holds, in all and per type (every type present, zero included).</summary>
internal sealed record MemoryStats(string Repository, int Total, IReadOnlyDictionary<string, int> ByType);

/// <summary>A new memory as a person asked for it, already validated.</summary>
internal sealed record MemoryDraft(string Repo, string Type, string Content, string? Developer);

/// <summary>
/// A change to a memory, already validated: null <see cref="Type"/> or <see cref="Content"/> leaves it as it is; the
/// developer changes only when <see cref="SetsDeveloper"/> (to null, to clear it).
/// </summary>
internal sealed record MemoryPatch(string? Type, string? Content, bool SetsDeveloper, string? Developer);

/// <summary>What saving a new memory came to.</summary>
internal abstract record MemorySaveResult
{
    private MemorySaveResult()
    {
    }

    public sealed record Created(MemoryView Memory) : MemorySaveResult;

    /// <summary>A near-duplicate of the same type and developer existed: it was updated with the new text instead.</summary>
    public sealed record Merged(MemoryView Memory) : MemorySaveResult;

    /// <summary>The caller cannot see the repository (or it does not exist): the same answer for both.</summary>
    public sealed record RepositoryNotFound(string Repo) : MemorySaveResult;

    /// <summary>The repository already keeps <paramref name="Max"/> memories (MEMORY_MAX_PER_REPOSITORY): nothing was added.</summary>
    public sealed record Full(string Repo, int Max) : MemorySaveResult;

    /// <summary>The caller can see it, but Nectr is not connected to it.</summary>
    public sealed record NotConnected(string Repo) : MemorySaveResult;
}

/// <summary>What <c>POST /api/v1/memory/rescan</c> answers: the project map now stored, and how many files it was read from.</summary>
internal sealed record ProjectScanView(string Repository, string DefaultBranch, int FilesRead, IReadOnlyList<MemoryView> Memories);
