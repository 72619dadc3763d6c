namespace Nectr.Sync;

/// <summary>
/// One kind of resumable background work for a connected repository (the knowledge backfill, the open-issue
/// backfill, the project scan). The sync runner calls <see cref="StepAsync"/> until it returns null, storing the
/// cursor after each step, so a restart resumes where the last finished step left off. A step should be small
/// (about one page of GitHub reads) and idempotent: a step that dies before its cursor is stored runs again.
/// Registered as a scoped service; a step runs in its own DI scope with that scope's retry budget.
/// </summary>
internal interface IRepositorySyncTask
{
    /// <summary>Stable name, stored with the job (e.g. <c>knowledge-backfill</c>).</summary>
    string Kind { get; }

    /// <summary>Runs one step from <paramref name="cursor"/> (null: the start); returns the next cursor, or null when done.</summary>
    Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken);
}
