using Nectr.GitHub;

namespace Nectr.Living;

/// <summary>
/// Resolves Nectr's own review threads whose finding is gone, through GraphQL: the PR's threads are listed (100 a
/// page) and matched to the ledger by the id of their first comment, which is the inline comment Nectr posted; each
/// unresolved one gets <c>resolveReviewThread</c>. Only threads Nectr started are touched: the match is on comment ids
/// Nectr recorded from its own reviews. A failure is logged and returned as a notice, never fails the review: the rows
/// stay unresolved in the ledger and the next run tries again.
/// </summary>
internal sealed partial class ThreadResolver(IGitHubApi github, FindingLedger ledger, ILogger<ThreadResolver> logger)
{
    /// <summary>At most this many pages of threads (10,000 threads) are read per run.</summary>
    private const int MaxPages = 100;

    /// <summary>The threads it resolved, and a notice when it could not resolve some.</summary>
    public async Task<(int Resolved, string? Notice)> ResolveAsync(string owner, string repo, int number, CancellationToken cancellationToken)
    {
        var repository = $"{owner}/{repo}";
        var pending = await ledger.ThreadsToResolveAsync(repository, number, cancellationToken);
        if (pending.Count == 0)
        {
            return (0, null);
        }

        var resolved = 0;
        try
        {
            var byComment = pending.ToDictionary(p => p.ReviewCommentId!.Value);
            string? after = null;
            for (var page = 0; page < MaxPages && byComment.Count > 0; page++)
            {
                var threads = await github.ListReviewThreadsAsync(owner, repo, number, after, cancellationToken);
                foreach (var thread in threads.Threads)
                {
                    if (thread.FirstCommentId is not { } first || !byComment.Remove(first, out var row))
                    {
                        continue;
                    }

                    // Someone may have resolved it already: then there is nothing to ask GitHub, only to remember.
                    if (thread.IsResolved || await github.ResolveReviewThreadAsync(thread.Id, cancellationToken))
                    {
                        await ledger.ThreadResolvedAsync(row.Id, thread.Id, cancellationToken);
                        resolved++;
                    }
                }

                if ((after = threads.Next) is null)
                {
                    break;
                }
            }

            return (resolved, null);
        }
        catch (GitHubApiException ex)
        {
            Log.ResolveFailed(logger, repository, number, ex.Message);
            return (resolved, $"could not resolve {pending.Count - resolved} review thread(s) of resolved findings: {ex.Message}");
        }
        catch (HttpRequestException ex)
        {
            Log.ResolveFailed(logger, repository, number, ex.Message);
            return (resolved, $"could not resolve {pending.Count - resolved} review thread(s) of resolved findings (GitHub did not answer)");
        }
    }

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not resolve review threads of resolved findings on {Repository}#{Number}: {Error}; the next review tries again")]
        public static partial void ResolveFailed(ILogger logger, string repository, int number, string error);
    }
}
