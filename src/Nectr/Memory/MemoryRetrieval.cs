using Nectr.Engine.Budget;
using Nectr.Engine.Memory;

namespace Nectr.Memory;

/// <summary>
/// The memory context of one review: the repository's project rules first, then its other memories ranked by relevance
/// to the PR (<see cref="MemoryRanking"/>), cut to the token share the caller gives. A database failure is logged and
/// comes back as an empty briefing whose <see cref="MemoryBriefing.Problem"/> says why; only the caller's
/// cancellation is thrown.
/// </summary>
internal sealed partial class MemoryRetrieval(MemoryStore store, ILogger<MemoryRetrieval> logger)
{
    /// <summary>Memories read per review: enough for any real project's rules and notes, bounded for a runaway one.</summary>
    public const int MaxCandidates = 500;

    public async Task<MemoryBriefing> ForReviewAsync(
        string repositoryFullName, string? author, IReadOnlyList<string> paths, string title, string? body, int maxTokens, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(paths);
        if (maxTokens <= 0)
        {
            return MemoryBriefing.Empty;
        }

        try
        {
            var memories = await store.ForRepositoryAsync(repositoryFullName, MaxCandidates, cancellationToken);
            var briefing = MemoryRanking.Rank(memories, new MemoryQuery(author, paths, title, body), maxTokens, O200kTokenCounter.Shared);
            Log.Briefed(logger, repositoryFullName, briefing.MemoryIds.Count, memories.Count, briefing.Tokens);
            return briefing;
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            Log.Failed(logger, repositoryFullName, ex);
            return MemoryBriefing.Empty with { Problem = "project memory could not be read" };
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "{Repository}: {Used} of {Candidates} memories in the prompt ({Tokens} tokens)")]
        public static partial void Briefed(ILogger logger, string repository, int used, int candidates, int tokens);

        [LoggerMessage(2, LogLevel.Warning, "{Repository}: project memory could not be read; the review goes on without it")]
        public static partial void Failed(ILogger logger, string repository, Exception exception);
    }
}
