using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Budget;
using Nectr.Engine.Context;
using Nectr.Engine.Prompts;
using Nectr.Knowledge;

namespace Nectr.Context;

/// <summary>
/// Gathers what a review knows beyond the diff, every source at once and each under its own deadline
/// (<see cref="PartDeadline"/>): the knowledge index's file experts, related past pull requests and open ones that
/// touch the same files. A source that fails leaves a gap in the review's coverage, never a failed review.
/// Scoped: one per review, reading GitHub with the job's retry budget.
/// </summary>
internal sealed partial class ReviewContextGatherer(IOptions<LlmOptions> llm, ILogger<ReviewContextGatherer> logger, KnowledgeQueries? knowledge = null)
{
    /// <summary>How long one source may take; the review waits for the slowest, so this bounds the whole.</summary>
    internal static readonly TimeSpan PartDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Why the database's sources are missing from a command-line review run without DATABASE_URL.</summary>
    internal const string NoDatabase = "no database: set DATABASE_URL to the server's database";

    public async Task<GatheredContext> GatherAsync(ReviewSubject subject, CancellationToken cancellationToken)
    {
        var history = knowledge is null
            ? Task.FromResult<(HistoryPart?, ContextGap?)>((null, new ContextGap("file history", NoDatabase)))
            : ContextPart.RunAsync("file history", PartDeadline, ct => HistoryAsync(knowledge, subject, ct), logger, cancellationToken);
        await Task.WhenAll(history);

        var blocks = new List<ContextBlock>();
        var gaps = new List<ContextGap>();
        var review = new ReviewContext();
        var (found, historyGap) = await history;
        if (historyGap is not null)
        {
            gaps.Add(historyGap);
        }
        else if (found is not null)
        {
            blocks.AddRange(found.Blocks);
            review = review with { RelatedPullRequests = found.Related, OpenConflicts = found.Conflicts };
            if (found.Gap is { } empty)
            {
                gaps.Add(empty);
            }
        }

        return new GatheredContext(new PromptContext(Budgeted(blocks)), review with { Gaps = gaps }, []);
    }

    /// <summary>Each kind of context cut to its share of the model's window (see <see cref="ContextBudget"/>).</summary>
    private List<ContextBlock> Budgeted(List<ContextBlock> blocks) =>
        [.. blocks.GroupBy(b => b.Kind).SelectMany(g => ContextBudget.Fit([.. g], ContextBudget.TokensFor(g.Key, llm.Value.ContextTokens), O200kTokenCounter.Shared))];

    private static async Task<HistoryPart> HistoryAsync(KnowledgeQueries knowledge, ReviewSubject subject, CancellationToken cancellationToken)
    {
        var repository = subject.FullName;
        var experts = await knowledge.FileExpertsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        var related = await knowledge.RelatedPullRequestsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        var conflicts = await knowledge.OpenConflictsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        ContextGap? gap = null;
        if (experts.Count == 0 && related.Count == 0 && conflicts.Count == 0 && !await knowledge.HasHistoryAsync(repository, subject.Number, cancellationToken))
        {
            gap = new ContextGap("file history", "no earlier pull request of this repository is indexed yet");
        }

        return new HistoryPart(
            ContextPrompt.History(experts, related, conflicts),
            [.. related.Select(p => new RelatedPullRequest(p.Number, p.Title, StoredVerdict.Parse(p.Verdict), p.SharedPaths))],
            [.. conflicts.Select(p => new OpenPullRequestConflict(p.Number, p.Title, p.SharedPaths))],
            gap);
    }

    private sealed record HistoryPart(
        IReadOnlyList<ContextBlock> Blocks,
        IReadOnlyList<RelatedPullRequest> Related,
        IReadOnlyList<OpenPullRequestConflict> Conflicts,
        ContextGap? Gap);
}
