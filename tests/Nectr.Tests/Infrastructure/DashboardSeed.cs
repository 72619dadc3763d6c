using Nectr.Data;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// A small, realistic history for dashboard tests: one user who sees two repositories (one connected, one with
/// signature failures), a review with findings whose body tries to inject HTML, a parked delivery, and a review of
/// a repository the user cannot see, which must never show.
/// </summary>
internal static class DashboardSeed
{
    public const string Login = "mona";
    public const long GitHubId = 90210;
    public const string Connected = "acme/api";
    public const string Failing = "acme/web";
    public const string Hidden = "other/secret-repo";
    public const string ParkedReason = "GitHub answered 404 for the pull request after 5 attempts";
    public const string FindingTitle = "SQL built from request input";

    /// <summary>A review body that tries script, event-handler and javascript: injections alongside real Markdown.</summary>
    public const string MaliciousBody = """
        ## Summary

        This change adds **parameterised** queries to `orders.py`.

        <script>document.title = 'pwned'; window.nectrPwned = true;</script>
        <img src=x onerror="window.nectrPwned = true">

        [click me](javascript:window.nectrPwned=true)

        | file | note |
        | --- | --- |
        | orders.py | reviewed |
        """;

    internal sealed record Ids(UserRecord User, long ReviewId, long HiddenReviewId, long ParkedDeliveryId);

    public static async Task<Ids> SeedAsync(NectrDb db)
    {
        var now = DateTime.UtcNow;
        var user = new UserRecord { GitHubId = GitHubId, Login = Login, Name = "Mona", CreatedAt = now, LastLoginAt = now };
        db.Users.Add(user);
        await db.SaveChangesAsync();

        db.UserRepositories.AddRange(
            new UserRepositoryAccess { UserId = user.Id, RepositoryFullName = Connected, GitHubRepoId = 1001, Admin = true, RefreshedAt = now },
            new UserRepositoryAccess { UserId = user.Id, RepositoryFullName = Failing, GitHubRepoId = 1002, Private = true, Admin = false, RefreshedAt = now });
        db.Repositories.AddRange(
            new RepositoryRecord { FullName = Connected, GitHubId = 1001, Connected = true, ConnectedAt = now.AddDays(-3), ConnectedByUserId = user.Id, CreatedAt = now.AddDays(-3) },
            new RepositoryRecord { FullName = Failing, GitHubId = 1002, Connected = true, ConnectedAt = now.AddDays(-2), CreatedAt = now.AddDays(-2), SignatureFailures = 3, LastSignatureFailureAt = now.AddHours(-1) },
            new RepositoryRecord { FullName = Hidden, GitHubId = 1003, Connected = true, CreatedAt = now });

        var job = Job(Connected, 42, "a1b2c3d4e5f6", JobStatus.Done, now.AddDays(-1));
        var parkedJob = Job(Connected, 43, "0badc0ffee00", JobStatus.Parked, now.AddHours(-2));
        parkedJob.Attempts = 5;
        parkedJob.OutcomeReason = ParkedReason;
        parkedJob.LastError = "GitHub returned 404 Not Found";
        var olderJob = Job(Connected, 41, "1234567890ab", JobStatus.Done, now.AddDays(-4));
        var hiddenJob = Job(Hidden, 7, "deadbeef0000", JobStatus.Done, now.AddHours(-3));
        db.ReviewJobs.AddRange(job, parkedJob, olderJob, hiddenJob);
        await db.SaveChangesAsync();

        var review = new ReviewRecord
        {
            JobId = job.Id, RepositoryFullName = Connected, PullNumber = 42, HeadSha = job.HeadSha, Event = "COMMENT",
            HtmlUrl = "https://github.com/acme/api/pull/42#pullrequestreview-1", Body = MaliciousBody,
            ChangedFiles = 5, ReviewedFiles = 4, InlineComments = 1, DurationMs = 8421,
            SkippedFiles = [new() { Path = "package-lock.json", Reason = "lock file" }], NotSentToModel = [new() { Path = "big/generated.py", Reason = "token budget" }],
            Verdict = "request_changes", VerdictReason = "1 high-severity finding", Model = "claude-sonnet-4-5", LlmCalls = 2,
            InputTokens = 12345, OutputTokens = 678, CostUsd = 0.0472m, CreatedAt = now.AddDays(-1),
            Findings =
            [
                new FindingRecord { RuleId = "llm", File = "orders.py", Line = 17, Severity = "high", Category = "security", Title = FindingTitle, Body = "Use parameters.", Inline = true },
                new FindingRecord { RuleId = "llm", File = "orders.py", Line = 30, EndLine = 32, Severity = "low", Category = "style", Title = "Long function", Body = "Split it.", Inline = false },
            ],
        };
        var older = new ReviewRecord
        {
            JobId = olderJob.Id, RepositoryFullName = Connected, PullNumber = 41, HeadSha = olderJob.HeadSha, Event = "COMMENT", Body = "Looks fine.",
            Verdict = "approve", CreatedAt = now.AddDays(-4),
        };
        var hidden = new ReviewRecord
        {
            JobId = hiddenJob.Id, RepositoryFullName = Hidden, PullNumber = 7, HeadSha = hiddenJob.HeadSha, Event = "COMMENT",
            Body = "Hidden review body", Verdict = "approve", CreatedAt = now.AddHours(-3),
        };
        db.Reviews.AddRange(review, older, hidden);

        var parked = new DeliveryRecord
        {
            DeliveryId = "d-parked-0001", Event = "pull_request", Action = "opened", RepositoryFullName = Connected, PullNumber = 43,
            HeadSha = parkedJob.HeadSha, Payload = "{}", ReceivedAt = now.AddHours(-2), Outcome = DeliveryOutcome.Parked,
            OutcomeReason = ParkedReason, JobId = parkedJob.Id, CompletedAt = now.AddHours(-1),
        };
        db.Deliveries.AddRange(parked,
            new DeliveryRecord { DeliveryId = "d-done-0001", Event = "pull_request", Action = "synchronize", RepositoryFullName = Connected, PullNumber = 42, HeadSha = job.HeadSha, Payload = "{}", ReceivedAt = now.AddDays(-1), Outcome = DeliveryOutcome.Reviewed, JobId = job.Id },
            new DeliveryRecord { DeliveryId = "d-hidden-0001", Event = "pull_request", Action = "opened", RepositoryFullName = Hidden, PullNumber = 7, Payload = "{}", ReceivedAt = now, Outcome = DeliveryOutcome.Parked, OutcomeReason = "hidden reason" });
        await db.SaveChangesAsync();
        return new Ids(user, review.Id, hidden.Id, parked.Id);
    }

    private static ReviewJob Job(string repo, int number, string sha, JobStatus status, DateTime at) => new()
    {
        RepositoryFullName = repo, PullNumber = number, HeadSha = sha, Status = status, Attempts = 1, CreatedAt = at, UpdatedAt = at, CompletedAt = at,
    };
}
