using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;

namespace Nectr.Commands;

/// <summary>
/// Whether reviews of a pull request are paused (<c>@nectr pause</c> / <c>resume</c>): the one writer of
/// <c>pull_request_states.Paused</c>, <c>PausedBy</c> and <c>PausedAt</c>, and the check the review runner asks. A pause
/// holds the reviews pushes ask for; a review a person asks for (a command, a check run's re-run) still runs.
/// </summary>
internal sealed class PullRequestPauses(IDbContextFactory<NectrDb> dbs, DbWriteGate writeGate, IOptions<CommandOptions> options, TimeProvider time)
{
    /// <summary>The row is new and another writer (a review recording its head) inserted it first: update that one.</summary>
    private static readonly Polly.ResiliencePipeline InsertConflicts = WriteConflicts.RetryAtOnce(2, WriteConflicts.IsRefusedWrite);

    /// <summary>Pauses or resumes the PR's reviews; false when it already was so.</summary>
    public async Task<bool> SetAsync(string repository, int number, bool paused, string by, CancellationToken cancellationToken) =>
        await InsertConflicts.ExecuteAsync(async ct =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            using var _ = await writeGate.EnterAsync(ct);
            await using var db = await dbs.CreateDbContextAsync(ct);
            var state = await db.PullRequestStates.AsNoTracking().Where(s => s.RepositoryFullName == repository && s.Number == number)
                .Select(s => new { s.Paused }).FirstOrDefaultAsync(ct);
            if (state is null)
            {
                if (!paused)
                {
                    return false;
                }

                db.PullRequestStates.Add(new PullRequestStateRecord
                {
                    RepositoryFullName = repository, Number = number, Paused = true, PausedBy = by, PausedAt = now, UpdatedAt = now,
                });
                await db.SaveChangesAsync(ct);
                return true;
            }

            // Conditional on the state it changes from, so two commands racing change it once; only the pause columns are
            // written, so whatever else the row holds (the last reviewed head, the summary comment) is untouched.
            return await db.PullRequestStates
                .Where(s => s.RepositoryFullName == repository && s.Number == number && s.Paused != paused)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(s => s.Paused, paused)
                    .SetProperty(s => s.PausedBy, paused ? by : null)
                    .SetProperty(s => s.PausedAt, paused ? now : null)
                    .SetProperty(s => s.UpdatedAt, now), ct) > 0;
        }, cancellationToken);

    /// <summary>Why the review job must not run (its PR is paused and nobody asked for it), or null when it may.</summary>
    public async Task<string?> SkipReasonAsync(ReviewJob job, CancellationToken cancellationToken)
    {
        if (job.RequestedBy is not null)
        {
            return null;
        }

        await using var db = await dbs.CreateDbContextAsync(cancellationToken);
        var pausedBy = await db.PullRequestStates.AsNoTracking()
            .Where(s => s.RepositoryFullName == job.RepositoryFullName && s.Number == job.PullNumber && s.Paused)
            .Select(s => s.PausedBy ?? "someone").FirstOrDefaultAsync(cancellationToken);
        var handle = options.Value.Handle;
        return pausedBy is null ? null : $"reviews paused by {pausedBy}; comment `@{handle} resume` to resume";
    }
}
