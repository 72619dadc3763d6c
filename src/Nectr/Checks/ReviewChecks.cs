using System.Globalization;
using Microsoft.Extensions.Options;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.GitHub;
using Nectr.GitHubApp;
using Nectr.Jobs;

namespace Nectr.Checks;

/// <summary>
/// Shows a review's progress and outcome on the head commit. As a GitHub App installed on the repository: a check run
/// named <see cref="Name"/>, <c>in_progress</c> while reviewing, then completed with a conclusion from
/// <see cref="CheckConclusions"/> and the findings posted outside the diff as annotations (at most
/// <see cref="AnnotationsPerRequest"/> per request: the completing PATCH carries the first batch and further PATCHes
/// append the rest, as GitHub's API requires). With a token (PAT or gh) instead: a commit status of context
/// <see cref="Name"/> in the same states, unless <c>REVIEW_COMMIT_STATUS=false</c>. None of this can fail a review: a GitHub error is logged and the review goes on.
/// </summary>
internal sealed partial class ReviewChecks(
    IGitHubApi github,
    GitHubAppCredentials apps,
    InstallationTokens installations,
    JobQueue queue,
    IOptions<GitHubOptions> gitHub,
    IOptions<GitHubAppOptions> appOptions,
    TimeProvider time,
    ILogger<ReviewChecks> logger)
{
    public const string Name = "Nectr";
    public const int AnnotationsPerRequest = 50;

    /// <summary>The review of <paramref name="job"/>'s head has started (after the skip checks).</summary>
    public async Task StartedAsync(ReviewJob job, string owner, CancellationToken cancellationToken)
    {
        await GuardedAsync(job, "start", async (o, r) =>
        {
            if (!await AsAppAsync(o, r, cancellationToken))
            {
                await StatusAsync(o, r, job.HeadSha, new CommitStatusWrite("pending", "Reviewing…", Name), cancellationToken);
                return;
            }

            var running = new CheckRunWrite(Status: "in_progress", StartedAt: time.GetUtcNow(),
                Output: new CheckRunOutput("Reviewing", $"Nectr is reviewing {Short(job.HeadSha)}."));
            if (await ExistingRunAsync(job, o, r, cancellationToken) is { } existing)
            {
                await github.UpdateCheckRunAsync(o, r, existing, running, cancellationToken);
                return;
            }

            var id = await github.CreateCheckRunAsync(o, r, running with { Name = Name, HeadSha = job.HeadSha, ExternalId = ExternalId(job) }, cancellationToken);
            job.CheckRunId = id;
            await queue.SetCheckRunAsync(job.Id, owner, id, cancellationToken);
        });
    }

    /// <summary>The review is posted: complete the check run (or status) with the policy's conclusion and the annotations.</summary>
    public async Task CompletedAsync(ReviewJob job, ReviewResult result, string? reviewUrl, CancellationToken cancellationToken)
    {
        await GuardedAsync(job, "complete", async (o, r) =>
        {
            var outcome = CheckConclusions.Of(result);
            if (!await AsAppAsync(o, r, cancellationToken))
            {
                await StatusAsync(o, r, job.HeadSha, new CommitStatusWrite(outcome.StatusState, Bounded(outcome.Title, 140), Name, reviewUrl), cancellationToken);
                return;
            }

            var annotations = Annotations(result, o, r);
            var summary = Clean(outcome.Summary, o, r)
                + (annotations.Count > 0 ? $"\n\n{annotations.Count} finding(s) outside the diff are shown as annotations on the files." : "");
            await CompleteRunAsync(job, o, r, outcome.Conclusion, outcome.Title, summary, reviewUrl, annotations, cancellationToken);
        });
    }

    /// <summary>The run found nothing to review (an incremental run with no change): the check says so, <c>skipped</c>.</summary>
    public async Task SkippedAsync(ReviewJob job, string reason, CancellationToken cancellationToken)
    {
        await GuardedAsync(job, "skip", async (o, r) =>
        {
            const string title = "Nothing new to review";
            if (!await AsAppAsync(o, r, cancellationToken))
            {
                await StatusAsync(o, r, job.HeadSha, new CommitStatusWrite("success", Bounded(title + ": " + reason, 140), Name), cancellationToken);
                return;
            }

            await CompleteRunAsync(job, o, r, "skipped", title, Clean(reason, o, r), null, [], cancellationToken);
        });
    }

    /// <summary>The job was parked: the check run (or status) says so with the reason, without blocking the merge.</summary>
    public async Task ParkedAsync(ReviewJob job, string reason, CancellationToken cancellationToken)
    {
        await GuardedAsync(job, "park", async (o, r) =>
        {
            const string title = "Nectr could not review this commit";
            if (!await AsAppAsync(o, r, cancellationToken))
            {
                await StatusAsync(o, r, job.HeadSha, new CommitStatusWrite("error", Bounded(title + ": " + reason, 140), Name), cancellationToken);
                return;
            }

            var summary = Clean($"The review stopped after {job.Attempts} attempt(s): {reason}\n\nUse **Re-run** to try again once the cause is fixed.", o, r);
            await CompleteRunAsync(job, o, r, CheckConclusions.Parked, title, summary, null, [], cancellationToken);
        });
    }

    private async Task CompleteRunAsync(ReviewJob job, string o, string r, string conclusion, string title, string summary, string? detailsUrl,
        IReadOnlyList<CheckRunAnnotation> annotations, CancellationToken cancellationToken)
    {
        var output = new CheckRunOutput(Bounded(title, 255), Bounded(summary, 60_000), annotations.Take(AnnotationsPerRequest).ToList());
        var done = new CheckRunWrite(Status: "completed", Conclusion: conclusion, CompletedAt: time.GetUtcNow(), DetailsUrl: detailsUrl, Output: output);
        long id;
        if (await ExistingRunAsync(job, o, r, cancellationToken) is { } existing)
        {
            await github.UpdateCheckRunAsync(o, r, existing, done, cancellationToken);
            id = existing;
        }
        else
        {
            // The start was never recorded (it failed, or the job was parked before it began): one completed run says it all.
            id = await github.CreateCheckRunAsync(o, r, done with { Name = Name, HeadSha = job.HeadSha, ExternalId = ExternalId(job) }, cancellationToken);
        }

        // GitHub appends the annotations of each update to the run's; title and summary must be sent again each time.
        foreach (var batch in annotations.Skip(AnnotationsPerRequest).Chunk(AnnotationsPerRequest))
        {
            await github.UpdateCheckRunAsync(o, r, id, new CheckRunWrite(Output: output with { Annotations = batch }), cancellationToken);
        }
    }

    /// <summary>
    /// The check run this job already has: the recorded id, or (on a later attempt whose start may have landed without
    /// being recorded) the one GitHub lists with this job's external id, so a run is never created twice.
    /// </summary>
    private async Task<long?> ExistingRunAsync(ReviewJob job, string o, string r, CancellationToken cancellationToken)
    {
        if (job.CheckRunId is { } id)
        {
            return id;
        }

        return job.Attempts > 1 ? job.CheckRunId = await github.FindCheckRunAsync(o, r, job.HeadSha, Name, ExternalId(job), cancellationToken) : null;
    }

    private async Task StatusAsync(string owner, string repo, string sha, CommitStatusWrite status, CancellationToken cancellationToken)
    {
        if (appOptions.Value.CommitStatus)
        {
            await github.CreateCommitStatusAsync(owner, repo, sha, status, cancellationToken);
        }
    }

    private async Task<bool> AsAppAsync(string owner, string repo, CancellationToken cancellationToken) =>
        await apps.GetAsync(cancellationToken) is not null && await installations.InstallationForAsync(owner, repo, cancellationToken) is not null;

    private async Task GuardedAsync(ReviewJob job, string step, Func<string, string, Task> write)
    {
        if (job.Kind != JobKind.Review)
        {
            return;
        }

        var slash = job.RepositoryFullName.IndexOf('/', StringComparison.Ordinal);
        try
        {
            await write(job.RepositoryFullName[..slash], job.RepositoryFullName[(slash + 1)..]);
        }
        catch (Exception ex) when (ex is GitHubApiException or GitHubRateLimitedException or GitHubTokenUnavailableException or HttpRequestException
            or TaskCanceledException or TimeoutException or Polly.Timeout.TimeoutRejectedException or System.Text.Json.JsonException)
        {
            // A check run is a report of the review, never a reason to fail or repeat it.
            Log.WriteFailed(logger, job.RepositoryFullName, job.PullNumber, job.Id, step, ex.Message);
        }
    }

    /// <summary>Findings that are not inline comments and have a line: on the diff's files GitHub shows them in place.</summary>
    private List<CheckRunAnnotation> Annotations(ReviewResult result, string owner, string repo) =>
        [.. result.Unanchored.Where(f => f.Line > 0 && f.File.Length > 0).Select(f => new CheckRunAnnotation(
            f.File, f.Line, Math.Max(f.Line, f.EndLine ?? f.Line), CheckConclusions.AnnotationLevel(f.Severity),
            Bounded(Clean(f.Body.Length > 0 ? f.Body : f.Title, owner, repo), 60_000),
            Bounded(Clean($"{f.Severity} {f.Category}: {f.Title}", owner, repo), 255)))];

    private string Clean(string text, string owner, string repo) => OutputHygiene.Clean(text, owner, repo, gitHub.Value.WebUrl.Host);

    private static string ExternalId(ReviewJob job) => job.Id.ToString(CultureInfo.InvariantCulture);

    private static string Bounded(string text, int max) => text.Length <= max ? text : text[..(max - 1)] + "…";

    private static string Short(string sha) => sha.Length > 7 ? sha[..7] : sha;

    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Warning, "Could not {Step} the Nectr check on {Repository}#{Number} (job {JobId}), which only reports on the review and does not change it: {Reason}")]
        public static partial void WriteFailed(ILogger logger, string repository, int number, long jobId, string step, string reason);
    }
}
