using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Budget;
using Nectr.Engine.Context;
using Nectr.Engine.Memory;
using Nectr.Engine.Prompts;
using Nectr.Issues;
using Nectr.Knowledge;
using Nectr.McpClient;
using Nectr.Memory;

namespace Nectr.Context;

/// <summary>
/// Gathers what a review knows beyond the diff, every source at once and each under its own deadline
/// (<see cref="PartDeadline"/>): linked issues (GitHub: the PR's commits, then each issue), candidate issues (the
/// issue index), the knowledge index's file experts, related past pull requests and open ones that touch the same
/// files, and the project's memory. Each kind of context is then cut to its share of the model's window. A source
/// that fails or times out leaves a gap in the review's coverage, never a failed review. The database's sources are
/// optional: the command line without DATABASE_URL has only GitHub's. Scoped: one per review, reading GitHub with
/// the job's retry budget.
/// </summary>
internal sealed class ReviewContextGatherer(
    IOptions<LlmOptions> llm,
    LinkedIssueFetcher linked,
    ILogger<ReviewContextGatherer> logger,
    KnowledgeQueries? knowledge = null,
    KnowledgeAnalytics? analytics = null,
    IssueIndex? issueIndex = null,
    MemoryRetrieval? memory = null,
    IMcpReviewContext? mcp = null,
    IOptions<McpOptions>? mcpOptions = null)
{
    /// <summary>How long one source may take; the review waits for the slowest, so this bounds the whole.</summary>
    internal static readonly TimeSpan PartDeadline = TimeSpan.FromSeconds(10);

    /// <summary>Why the database's sources are missing from a command-line review run without DATABASE_URL.</summary>
    internal const string NoDatabase = "no database: set DATABASE_URL to the server's database";

    public async Task<GatheredContext> GatherAsync(ReviewSubject subject, CancellationToken cancellationToken)
    {
        var issues = ContextPart.RunAsync("linked issues", PartDeadline, ct => linked.FetchAsync(subject.Owner, subject.Repo, subject.Number, subject.Title, subject.Body, ct), logger, cancellationToken);
        var history = knowledge is null
            ? Task.FromResult<(HistoryPart?, ContextGap?)>((null, new ContextGap("file history", NoDatabase)))
            : ContextPart.RunAsync("file history", PartDeadline, ct => HistoryAsync(knowledge, analytics, subject, ct), logger, cancellationToken);
        var memories = memory is null
            ? Task.FromResult<(MemoryBriefing?, ContextGap?)>((null, new ContextGap("project memory", NoDatabase)))
            : ContextPart.RunAsync("project memory", PartDeadline, ct => memory.ForReviewAsync(subject.FullName, subject.Author, subject.Paths, subject.Title, subject.Body, MemoryTokens, ct), logger, cancellationToken);
        // MCP servers bound each connect and call by the call timeout themselves; the deadline is only a backstop.
        var tools = mcp is null || mcpOptions is null || mcpOptions.Value.Servers.Count == 0
            ? Task.FromResult<(McpReviewContext?, ContextGap?)>((null, null))
            : ContextPart.RunAsync("MCP servers", McpDeadline(mcpOptions.Value), ct => mcp.GatherAsync(subject, ct), logger, cancellationToken);
        await Task.WhenAll(issues, history, memories, tools);

        var blocks = new List<ContextBlock>();
        var gaps = new List<ContextGap>();
        var review = new ReviewContext();

        var (linkedIssues, issuesGap) = await issues;
        Add(gaps, issuesGap);
        var exclude = new List<int>();
        if (linkedIssues is not null)
        {
            blocks.AddRange(ContextPrompt.LinkedIssues(linkedIssues.Issues));
            review = review with { LinkedIssues = linkedIssues.Linked };
            exclude.AddRange(linkedIssues.References.Where(r => r.IsIn(subject.Owner, subject.Repo)).Select(r => r.Number));
            Add(gaps, linkedIssues.Missing is { } missing ? new ContextGap("linked issues", missing) : null);
        }

        // Candidates exclude the linked issues, so they wait for them; the index answers in milliseconds.
        var (candidates, candidatesGap) = issueIndex is null
            ? (null, new ContextGap("candidate issues", NoDatabase))
            : await ContextPart.RunAsync("candidate issues", PartDeadline, ct => issueIndex.CandidatesAsync(subject.FullName, subject.Title, subject.Body, [.. exclude, subject.Number], ct), logger, cancellationToken);
        Add(gaps, candidatesGap);
        if (candidates is { Count: > 0 })
        {
            blocks.Add(ContextPrompt.Candidates(candidates));
            review = review with { Candidates = candidates };
        }

        var (found, historyGap) = await history;
        Add(gaps, historyGap);
        if (found is not null)
        {
            blocks.AddRange(found.Blocks);
            review = review with { RelatedPullRequests = found.Related, OpenConflicts = found.Conflicts };
            Add(gaps, found.Gap);
        }

        var (briefing, memoryGap) = await memories;
        Add(gaps, memoryGap);
        if (briefing is not null)
        {
            blocks.AddRange(briefing.Blocks);
            Add(gaps, briefing.Problem is { } problem ? new ContextGap("project memory", problem) : null);
        }

        var (fromTools, toolsGap) = await tools;
        Add(gaps, toolsGap);
        if (fromTools is not null)
        {
            blocks.AddRange(fromTools.Blocks);
            gaps.AddRange(fromTools.Gaps);
        }

        return new GatheredContext(new PromptContext(Budgeted(blocks)), review with { Gaps = OneForNoDatabase(gaps) }, linkedIssues?.CommitMessages ?? []);
    }

    /// <summary>Without a database its sources are named once: "candidate issues, file history and project memory (no database: …)".</summary>
    private static List<ContextGap> OneForNoDatabase(List<ContextGap> gaps)
    {
        var missing = gaps.Where(g => g.Reason == NoDatabase).Select(g => g.Source).ToList();
        if (missing.Count < 2)
        {
            return gaps;
        }

        var sources = string.Join(", ", missing[..^1]) + " and " + missing[^1];
        return [.. gaps.Where(g => g.Reason != NoDatabase), new ContextGap(sources, NoDatabase)];
    }

    /// <summary>A connect and then the calls, each under the call timeout, and a moment to close.</summary>
    internal static TimeSpan McpDeadline(McpOptions options) => (2 * options.CallTimeout) + TimeSpan.FromSeconds(2);

    private int MemoryTokens => ContextBudget.TokensFor(ContextKind.Memory, llm.Value.ContextTokens);

    private static void Add(List<ContextGap> gaps, ContextGap? gap)
    {
        if (gap is not null)
        {
            gaps.Add(gap);
        }
    }

    /// <summary>Each kind of context cut to its share of the model's window (see <see cref="ContextBudget"/>).</summary>
    private List<ContextBlock> Budgeted(List<ContextBlock> blocks) =>
        [.. blocks.GroupBy(b => b.Kind).SelectMany(g => ContextBudget.Fit([.. g], ContextBudget.TokensFor(g.Key, llm.Value.ContextTokens), O200kTokenCounter.Shared))];

    private static async Task<HistoryPart> HistoryAsync(KnowledgeQueries knowledge, KnowledgeAnalytics? analytics, ReviewSubject subject, CancellationToken cancellationToken)
    {
        var repository = subject.FullName;
        var experts = await knowledge.FileExpertsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        var related = await knowledge.RelatedPullRequestsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        var conflicts = await knowledge.OpenConflictsAsync(repository, subject.Number, subject.Paths, cancellationToken);
        var risks = analytics is null ? [] : await analytics.RisksForAsync(repository, subject.Paths, cancellationToken);
        ContextGap? gap = null;
        if (experts.Count == 0 && related.Count == 0 && conflicts.Count == 0 && !await knowledge.HasHistoryAsync(repository, subject.Number, cancellationToken))
        {
            gap = new ContextGap("file history", "no earlier pull request of this repository is indexed yet");
        }

        return new HistoryPart(
            [.. ContextPrompt.History(experts, related, conflicts), .. ContextPrompt.Risks(risks)],
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
