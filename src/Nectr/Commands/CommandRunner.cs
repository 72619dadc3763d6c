using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Commands;
using Nectr.GitHub;
using Nectr.Jobs;
using Nectr.Reviews;

namespace Nectr.Commands;

/// <summary>
/// Runs one command job. The author must have write access (admin, maintain or write, asked through the collaborator
/// permission API); anyone else is ignored without a reaction or reply, so a command costs a read-only user nothing
/// and tells them nothing. An accepted command is acknowledged 👀, then 🚀 when it did what it was asked or 😕 when it
/// could not (an unknown command, an <c>explain</c> that names no finding). A GitHub failure throws: the job retries
/// and parks like a review, reactions are idempotent, and a reply a failed attempt may have posted is looked for by its
/// marker before posting again. The job ends done; <see cref="JobQueue.CompleteCommandAsync"/> settles its delivery.
/// GitHub calls: 1 (permission) + 2 (reactions) + the command's own (review: 1 GET of the PR; explain, help: 1 POST).
/// </summary>
internal sealed partial class CommandRunner(
    IGitHubApi github,
    JobQueue queue,
    JobSignal signal,
    PullRequestPauses pauses,
    IDbContextFactory<NectrDb> dbs,
    IOptions<CommandOptions> options,
    IOptions<GitHubOptions> gitHub,
    ILogger<CommandRunner> logger)
{
    private string Handle => options.Value.Handle;

    public async Task<RunOutcome> RunAsync(ReviewJob job, string owner, CancellationToken cancellationToken)
    {
        var command = CommandRequest.FromJson(job.CommandJson ?? throw new InvalidOperationException($"Command job {job.Id} has no command."));
        var what = command.Describe(Handle);
        var (repoOwner, repoName) = ReviewRunner.Split(job.RepositoryFullName);
        var permission = await github.GetCollaboratorPermissionAsync(repoOwner, repoName, command.Author, cancellationToken);
        if (!MayCommand(permission))
        {
            var access = permission?.RoleName ?? permission?.Permission ?? "no";
            Log.Ignored(logger, job.RepositoryFullName, job.PullNumber, job.Id, command.Author, access);
            return new RunOutcome(JobStatus.Skipped, $"{what} ignored: {command.Author} has {access} access to {job.RepositoryFullName}; commands need write access", null);
        }

        var target = new Target(job, owner, repoOwner, repoName, command);
        await ReactAsync(target, "eyes", cancellationToken);
        var (done, result) = command.Verb switch
        {
            CommandVerb.Review => await ReviewAsync(target, full: false, cancellationToken),
            CommandVerb.FullReview => await ReviewAsync(target, full: true, cancellationToken),
            CommandVerb.Pause => await PauseAsync(target, paused: true, cancellationToken),
            CommandVerb.Resume => await PauseAsync(target, paused: false, cancellationToken),
            CommandVerb.Explain => await ExplainAsync(target, cancellationToken),
            CommandVerb.Help => (true, await ReplyAsync(target, CommandReplies.Help(Handle), "answered with the list of commands", cancellationToken)),
            _ => (false, await ReplyAsync(target, CommandReplies.Unknown(Handle, command.Line), "not a command; answered with the list of commands", cancellationToken)),
        };
        await ReactAsync(target, done ? "rocket" : "confused", cancellationToken);
        Log.Done(logger, job.RepositoryFullName, job.PullNumber, job.Id, what, result);
        return new RunOutcome(JobStatus.Done, $"{what}: {result}", null);
    }

    /// <summary>admin, maintain or write. GitHub's <c>permission</c> folds maintain into write and triage into read.</summary>
    internal static bool MayCommand(GitHubPermission? permission) =>
        permission is not null && (permission.Permission is "admin" or "write" || permission.RoleName is "admin" or "maintain" or "write");

    /// <summary>A review of the PR's head as it is now, asked for again by the author: a new job unless one is waiting.</summary>
    private async Task<(bool, string)> ReviewAsync(Target target, bool full, CancellationToken cancellationToken)
    {
        var pr = await github.GetPullRequestAsync(target.Owner, target.Repo, target.Job.PullNumber, cancellationToken);
        if (pr.State != "open")
        {
            return (false, $"not reviewed: the pull request is {pr.State}");
        }

        var head = new JobKey(target.Job.RepositoryFullName, target.Job.PullNumber, pr.Head.Sha);
        var review = await queue.RequestReviewAsync(head, new JobRequest(Again: true, Full: full, RequestedBy: target.Command.Author), cancellationToken);
        signal.Notify();
        return (true, review.Kind == JobKind.Review && review.RequestedBy == target.Command.Author && review.Full == full && review.Status == JobStatus.Queued
            ? $"queued {(full ? "full " : "")}review job {review.Id} of head {Short(pr.Head.Sha)}"
            : $"review job {review.Id} of head {Short(pr.Head.Sha)} is already {review.Status.ToString().ToLowerInvariant()}");
    }

    private async Task<(bool, string)> PauseAsync(Target target, bool paused, CancellationToken cancellationToken)
    {
        var changed = await pauses.SetAsync(target.Job.RepositoryFullName, target.Job.PullNumber, paused, target.Command.Author, cancellationToken);
        return (true, (paused, changed) switch
        {
            (true, true) => "reviews of pushes paused",
            (true, false) => "reviews were already paused",
            (false, true) => "reviews of pushes resumed",
            (false, false) => "reviews were not paused",
        });
    }

    /// <summary>
    /// The finding the command names, from the PR's findings ledger: the one whose inline comment a bare <c>explain</c>
    /// replies to, or the one its argument names (<see cref="CommandReplies.Match"/>). The answer is the finding as
    /// recorded; no model is asked, so it works the same with <c>LLM_PROVIDER=none</c>.
    /// </summary>
    private async Task<(bool, string)> ExplainAsync(Target target, CancellationToken cancellationToken)
    {
        var command = target.Command;
        List<PullRequestFindingRecord> rows;
        await using (var db = await dbs.CreateDbContextAsync(cancellationToken))
        {
            rows = await db.PullRequestFindings.AsNoTracking()
                .Where(f => f.RepositoryFullName == target.Job.RepositoryFullName && f.Number == target.Job.PullNumber)
                .OrderBy(f => f.Id).ToListAsync(cancellationToken);
        }

        var findings = rows.Select(Explained).ToList();
        IReadOnlyList<ExplainedFinding> matches = string.IsNullOrWhiteSpace(command.Argument)
            ? command.InReplyToId is { } parent ? [.. rows.Where(f => f.ReviewCommentId == parent).Select(Explained)] : []
            : CommandReplies.Match(command.Argument, findings);
        return matches switch
        {
            [var one] => (true, await ReplyAsync(target, CommandReplies.Explanation(one), $"explained finding {one.ShortId}", cancellationToken)),
            [] => (false, await ReplyAsync(target, CommandReplies.NoMatch(command.Argument, findings), "no finding matched; answered with the PR's findings", cancellationToken)),
            _ => (false, await ReplyAsync(target, CommandReplies.Ambiguous(command.Argument, matches), $"{matches.Count} findings matched; answered with them", cancellationToken)),
        };
    }

    /// <summary>
    /// Answers in the command's thread: a reply to an inline thread, or a new conversation comment. The job is marked
    /// before the POST, so a later attempt first looks for the reply by its marker instead of posting it twice.
    /// </summary>
    private async Task<string> ReplyAsync(Target target, string text, string result, CancellationToken cancellationToken)
    {
        var (job, command) = (target.Job, target.Command);
        var body = CommandReplies.Finish(text, Handle, command.CommentId, target.Owner, target.Repo, gitHub.Value.WebUrl.Host);
        if (job.PostAttempted && await AlreadyRepliedAsync(target, cancellationToken))
        {
            return result + " (the reply an earlier attempt posted)";
        }

        if (!await queue.MarkPostAttemptedAsync(job.Id, target.LeaseOwner, cancellationToken))
        {
            throw new LeaseLostException(job.Id);
        }

        if (command.CommentKind == CommentKind.Review)
        {
            // GitHub takes replies to a thread's first comment only; a reply to a reply goes to the thread it is in.
            await github.ReplyToReviewCommentAsync(target.Owner, target.Repo, job.PullNumber, command.InReplyToId ?? command.CommentId, body, cancellationToken);
        }
        else
        {
            await github.CreateIssueCommentAsync(target.Owner, target.Repo, job.PullNumber, body, cancellationToken);
        }

        return result;
    }

    private async Task<bool> AlreadyRepliedAsync(Target target, CancellationToken cancellationToken)
    {
        var bodies = target.Command.CommentKind == CommentKind.Review
            ? (await github.ListReviewCommentsAsync(target.Owner, target.Repo, target.Job.PullNumber, cancellationToken)).Select(c => c.Body)
            : (await github.ListIssueCommentsAsync(target.Owner, target.Repo, target.Job.PullNumber, cancellationToken)).Select(c => c.Body);
        return bodies.Any(body => CommandReplies.IsReplyTo(body, target.Command.CommentId));
    }

    private Task ReactAsync(Target target, string content, CancellationToken cancellationToken) =>
        target.Command.CommentKind == CommentKind.Review
            ? github.AddReviewCommentReactionAsync(target.Owner, target.Repo, target.Command.CommentId, content, cancellationToken)
            : github.AddIssueCommentReactionAsync(target.Owner, target.Repo, target.Command.CommentId, content, cancellationToken);

    private static ExplainedFinding Explained(PullRequestFindingRecord f) =>
        new(f.Fingerprint, f.Title, f.Severity, f.Category, f.File, f.Line, f.EndLine, f.Body, f.Suggestion, f.State == TrackedFindingState.Resolved);

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    /// <summary>The job and where its answers go.</summary>
    private sealed record Target(ReviewJob Job, string LeaseOwner, string Owner, string Repo, CommandRequest Command);

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Information, "Command on {Repository}#{Number} (job {JobId}) from {Author} ignored: {Access} access, not write")]
        public static partial void Ignored(ILogger logger, string repository, int number, long jobId, string author, string access);

        [LoggerMessage(2, LogLevel.Information, "Command on {Repository}#{Number} (job {JobId}) {Command}: {Result}")]
        public static partial void Done(ILogger logger, string repository, int number, long jobId, string command, string result);
    }
}
