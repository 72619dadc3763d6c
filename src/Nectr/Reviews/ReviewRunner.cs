using System.Diagnostics;
using Nectr.Context;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.Jobs;
using Nectr.Knowledge;
using Nectr.Living;
using Nectr.Memory;
using Nectr.RepoConfig;

namespace Nectr.Reviews;

/// <summary>What a review run ended with; the worker turns it into the job's terminal state.</summary>
internal sealed record RunOutcome(JobStatus Status, string Reason, ReviewRecord? Review);

/// <summary>
/// One review of one head commit: read the PR, its settings (<c>.nectr.yml</c> on the default branch) and its files from
/// GitHub, narrow them to what changed since the last reviewed head (<see cref="LivingReview"/>), run the engine, post at
/// most one review with only the findings not posted before, then edit the PR's one summary comment. GitHub calls for a
/// first review: 1 (PR) + 1 (.nectr.yml) + ⌈files/100⌉ (files) + 1 (the PR's commits, for linked
/// issues) + 1 per linked issue of the PR's repository (at most 5) + 1 (POST) + 1 (the review's comments, for their
/// ids) + 1 (the summary comment: a POST the first time, a PATCH after). A later push adds 1 (compare) and posts only when something is new
/// (a push that changed none of the PR's files: PR, settings, files, compare and the summary edit); resolving threads of resolved findings
/// costs 1 GraphQL query per 100 threads + 1 mutation per thread (docs/DEVELOPING.md, "Living pull requests").
/// </summary>
internal sealed partial class ReviewRunner(
    IGitHubApi github,
    ReviewPipeline pipeline,
    ReviewContextGatherer gatherer,
    ReviewPublisher publisher,
    LivingReview living,
    ModelAnswerStore answers,
    JobQueue queue,
    KnowledgeIndex knowledge,
    MemoryExtraction memory,
    Checks.ReviewChecks checks,
    Commands.PullRequestPauses pauses,
    RepoConfigLoader repoConfig,
    PullRequestSummary summary,
    TimeProvider time,
    ILogger<ReviewRunner> logger)
{
    public async Task<RunOutcome> RunAsync(ReviewJob job, string owner, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        if (await pauses.SkipReasonAsync(job, cancellationToken) is { } paused)
        {
            return new RunOutcome(JobStatus.Skipped, paused, null); // `@nectr pause`: before any GitHub call
        }

        var (repoOwner, repoName) = Split(job.RepositoryFullName);
        var pr = await github.GetPullRequestAsync(repoOwner, repoName, job.PullNumber, cancellationToken);
        if (SkipReason(job, pr) is { } skip)
        {
            return new RunOutcome(JobStatus.Skipped, skip, null);
        }

        // Behaviour settings come from the default branch (and the dashboard), never from the PR head.
        var config = await repoConfig.LoadAsync(repoOwner, repoName, pr, cancellationToken);
        if (config.SkipReason(job, pr) is { } policy)
        {
            return new RunOutcome(JobStatus.Skipped, policy, null);
        }

        await checks.StartedAsync(job, owner, cancellationToken);

        var allFiles = await github.ListPullRequestFilesAsync(repoOwner, repoName, job.PullNumber, cancellationToken);
        // What this run reviews: everything, or (incremental) the PR's files changed since the last reviewed head.
        var run = await living.StartAsync(job, repoOwner, repoName, cancellationToken);
        var files = LivingReview.Reviewable(run, allFiles);
        var request = new ReviewRequest(
            repoOwner, repoName, job.PullNumber, pr.Title, job.HeadSha, job.Id,
            files.Select(f => new PullRequestFile(f.Filename, f.Status, f.Additions, f.Deletions, f.Patch, f.PreviousFilename)).ToList(),
            run.Range.Paths is null ? Math.Max(pr.ChangedFiles, files.Count) : files.Count,
            config.ReviewSettings())
        {
            Description = pr.Body,
        };

        // A previous attempt may have posted before it died or before GitHub's answer was lost: look before asking the
        // model again, which would cost a second call and could answer differently from what GitHub already shows.
        // The record then keeps the posted body, the built-in findings, and what the earlier attempt paid the model.
        if (job.PostAttempted && await publisher.FindPostedAsync(repoOwner, repoName, job.PullNumber, job.HeadSha, job.Id, cancellationToken) is { } posted)
        {
            Log.FoundPosted(logger, job.RepositoryFullName, job.PullNumber, job.Id);
            var foundNotices = await living.FinishFoundAsync(run, posted, cancellationToken);
            var builtIn = pipeline.BuiltInOnly(request);
            var (model, usage) = await answers.PaidAsync(job.Id, cancellationToken);
            var found = builtIn with { Body = posted.Body ?? builtIn.Body, Model = model ?? builtIn.Model, Usage = usage, Event = posted.State == "CHANGES_REQUESTED" ? "REQUEST_CHANGES" : "COMMENT" };
            await summary.PublishAsync(run, request, found, null, posted, foundNotices, config, cancellationToken);
            await checks.CompletedAsync(job, found, posted.HtmlUrl, cancellationToken);
            return await IndexedAsync(Reviewed(job, found, posted, started), pr, allFiles, cancellationToken);
        }

        if (run.Range.IsEmpty)
        {
            var unchangedNotices = await living.FinishAsync(run, null, null, cancellationToken);
            if (run.Range.FromSha != job.HeadSha)
            {
                // A new head that changed none of the PR's files: the summary names it (one edit), no review is posted.
                // The same head again (a redelivery, `@nectr review` with nothing pushed) leaves the summary as it is.
                await summary.PublishUnchangedAsync(run, request, pipeline.BuiltInOnly(request), unchangedNotices, config, cancellationToken);
            }

            await checks.SkippedAsync(job, run.Range.Notice ?? "nothing changed since the last review", cancellationToken);
            return new RunOutcome(JobStatus.Skipped, run.Range.Notice ?? "nothing changed since the last review", null);
        }

        var subject = new ReviewSubject(repoOwner, repoName, job.PullNumber, pr.Title, pr.Body, pr.User?.Login, job.HeadSha, [.. files.Select(f => f.Filename)]);
        var context = await gatherer.GatherAsync(subject, cancellationToken);
        var result = await pipeline.ReviewAsync(request, context, cancellationToken);
        // The findings ledger decides what is new: a finding already posted and still there is not posted again.
        var plan = await living.PlanAsync(run, request, result, cancellationToken);
        if (!plan.Post)
        {
            var quietNotices = await living.FinishAsync(run, plan, null, cancellationToken);
            // No GitHub review this time: the summary comment is what the run leaves on the PR, and what the record keeps.
            var summaryBody = await summary.PublishAsync(run, request, plan.Result, plan, null, quietNotices, config, cancellationToken);
            Log.NothingNew(logger, job.RepositoryFullName, job.PullNumber, job.Id, result.Findings.Count);
            await checks.CompletedAsync(job, plan.Result, null, cancellationToken);
            return await IndexedAsync(Reviewed(job, plan.Result with { Body = summaryBody }, null, started), pr, allFiles, cancellationToken);
        }

        if (!await queue.MarkPostAttemptedAsync(job.Id, owner, cancellationToken))
        {
            throw new LeaseLostException(job.Id);
        }

        var published = await publisher.PostAsync(repoOwner, repoName, job.PullNumber, job.HeadSha, plan.Result, cancellationToken);
        var notices = await living.FinishAsync(run, plan, published, cancellationToken);
        // Record what GitHub holds: when it refused the inline comments, every finding went into the body instead.
        var recorded = published.InlinePosted ? plan.Result : plan.Result with { Body = published.Body, Comments = [], Unanchored = result.Findings };
        await summary.PublishAsync(run, request, recorded, plan, published.Review, notices, config, cancellationToken);
        Log.Posted(logger, job.RepositoryFullName, job.PullNumber, job.Id, recorded.Comments.Count, recorded.Findings.Count);
        await checks.CompletedAsync(job, recorded, published.Review.HtmlUrl, cancellationToken);
        return await IndexedAsync(Reviewed(job, recorded, published.Review, started), pr, allFiles, cancellationToken);
    }

    /// <summary>
    /// The review is on GitHub: the knowledge index learns the PR's files and verdict, and project memory what the review
    /// taught (MEMORY_EXTRACTION, bounded by its own timeout), before the job completes. A failure of either is logged
    /// and recorded by its owner and changes nothing about the outcome.
    /// </summary>
    private async Task<RunOutcome> IndexedAsync(RunOutcome outcome, GitHubPullRequest pr, IReadOnlyList<GitHubPullRequestFile> files, CancellationToken cancellationToken)
    {
        var review = outcome.Review!;
        var facts = PullRequestFacts.FromGitHub(review.RepositoryFullName, pr, time.GetUtcNow());
        await knowledge.RecordReviewAsync(facts, files.Select(f => f.Filename), review.Verdict, cancellationToken);
        await memory.ExtractAsync(new ExtractionRequest(
            review.JobId, review.RepositoryFullName, review.PullNumber, pr.User?.Login, pr.Title, pr.Body, [.. files.Select(f => f.Filename)],
            review.Body,
            [.. review.Findings.Select(f => $"{f.Severity} {f.Category} in {f.File}{(f.Line > 0 ? $":{f.Line}" : "")}: {f.Title}")]), cancellationToken);
        return outcome;
    }

    private static string? SkipReason(ReviewJob job, GitHubPullRequest pr)
    {
        if (pr.State != "open")
        {
            return $"pull request is {pr.State}";
        }

        return pr.Head.Sha != job.HeadSha
            ? $"superseded: the head moved from {Short(job.HeadSha)} to {Short(pr.Head.Sha)}"
            : null;
    }

    private RunOutcome Reviewed(ReviewJob job, ReviewResult result, GitHubReview? posted, long started)
    {
        var record = new ReviewRecord
        {
            JobId = job.Id,
            RepositoryFullName = job.RepositoryFullName,
            PullNumber = job.PullNumber,
            HeadSha = job.HeadSha,
            GitHubReviewId = posted?.Id,
            HtmlUrl = posted?.HtmlUrl,
            Event = result.Event,
            Body = result.Body,
            ChangedFiles = result.Coverage.ChangedFiles,
            ReviewedFiles = result.Coverage.ReviewedFiles,
            SkippedFiles = [.. result.Coverage.Skipped.Select(s => new FileNoteRecord { Path = s.Path, Reason = s.Reason })],
            NotSentToModel = [.. result.Coverage.NotSentToModel.Select(s => new FileNoteRecord { Path = s.Path, Reason = s.Reason })],
            InlineComments = result.Comments.Count,
            DurationMs = (long)time.GetElapsedTime(started).TotalMilliseconds,
            Verdict = StoredVerdict.Of(result.Verdict),
            VerdictReason = result.VerdictReason,
            Model = result.Model,
            LlmCalls = result.Usage.Calls,
            InputTokens = result.Usage.InputTokens,
            OutputTokens = result.Usage.OutputTokens,
            CostUsd = result.Usage.CostUsd,
            CreatedAt = time.GetUtcNow().UtcDateTime,
            Findings = ReportedFinding.Of(result).Select(f => new FindingRecord
            {
                RuleId = f.RuleId,
                File = f.File,
                Line = f.Line,
                EndLine = f.EndLine,
                Severity = f.Severity,
                Category = f.Category,
                Title = f.Title,
                Body = f.Body,
                Suggestion = f.Suggestion,
                Inline = f.Inline,
            }).ToList(),
        };
        return new RunOutcome(JobStatus.Done, posted is null
            ? $"reviewed: {result.Findings.Count} finding(s), none new; no review posted"
            : $"reviewed: {result.Findings.Count} finding(s), {result.Comments.Count} inline", record);
    }

    internal static (string Owner, string Repo) Split(string fullName)
    {
        var slash = fullName.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0 ? throw new UnreachableException($"'{fullName}' is not owner/repo") : (fullName[..slash], fullName[(slash + 1)..]);
    }

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Posted review on {Repository}#{Number} (job {JobId}): {Comments} inline comment(s), {Findings} finding(s)")]
        public static partial void Posted(ILogger logger, string repository, int number, long jobId, int comments, int findings);

        [LoggerMessage(2, LogLevel.Information, "Review for {Repository}#{Number} (job {JobId}) was already posted by an earlier attempt")]
        public static partial void FoundPosted(ILogger logger, string repository, int number, long jobId);

        [LoggerMessage(3, LogLevel.Information, "Nothing new on {Repository}#{Number} (job {JobId}): {Findings} finding(s) already reported; no review posted")]
        public static partial void NothingNew(ILogger logger, string repository, int number, long jobId, int findings);
    }
}

/// <summary>The job's lease was taken over by another worker; this worker must stop without writing anything.</summary>
internal sealed class LeaseLostException(long jobId) : Exception($"Lease on job {jobId} was lost to another worker.");
