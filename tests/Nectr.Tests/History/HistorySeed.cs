using System.Net.Http.Json;
using System.Text.Json;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.History;

/// <summary>Rows a history test owns, written straight into the app's database.</summary>
internal static class HistorySeed
{
    public static readonly DateTime Now = DateTime.UtcNow;

    public static Task GrantAsync(NectrApp app, long userId, string repo, bool isPrivate = false) => app.QueryAsync(async db =>
    {
        db.UserRepositories.Add(new UserRepositoryAccess
        {
            UserId = userId, RepositoryFullName = repo, GitHubRepoId = Math.Abs(repo.GetHashCode(StringComparison.Ordinal)), Private = isPrivate, RefreshedAt = Now,
        });
        return await db.SaveChangesAsync();
    });

    /// <summary>A finished job, its delivery (reviewed) and the review with its findings.</summary>
    public static Task<ReviewRecord> ReviewAsync(
        NectrApp app, string repo, int number, string sha, string verdict = "approve", DateTime? at = null, string body = "Looks fine.", params FindingRecord[] findings) =>
        app.QueryAsync(async db =>
        {
            var created = at ?? Now;
            var job = new ReviewJob
            {
                RepositoryFullName = repo, PullNumber = number, HeadSha = sha, Status = JobStatus.Done, Attempts = 1,
                CreatedAt = created, UpdatedAt = created, CompletedAt = created, OutcomeReason = "reviewed",
            };
            db.ReviewJobs.Add(job);
            db.Deliveries.Add(new DeliveryRecord
            {
                DeliveryId = Guid.NewGuid().ToString(), Event = "pull_request", Action = "opened", RepositoryFullName = repo, PullNumber = number,
                HeadSha = sha, Payload = "{}", ReceivedAt = created, Outcome = DeliveryOutcome.Reviewed, OutcomeReason = "reviewed", Job = job, CompletedAt = created,
            });
            await db.SaveChangesAsync();
            var review = new ReviewRecord
            {
                JobId = job.Id, RepositoryFullName = repo, PullNumber = number, HeadSha = sha, GitHubReviewId = 80_000_000 + job.Id,
                HtmlUrl = $"https://github.com/{repo}/pull/{number}#pullrequestreview-{80_000_000 + job.Id}", Event = "COMMENT", Body = body,
                ChangedFiles = 3, ReviewedFiles = 2,
                SkippedFiles = [new() { Path = "package-lock.json", Reason = "lock file" }],
                NotSentToModel = [new() { Path = "src/Big.cs", Reason = "token budget" }],
                InlineComments = findings.Count(f => f.Inline), DurationMs = 4200, Verdict = verdict, VerdictReason = $"because {verdict}",
                Model = "claude-test", LlmCalls = 2, InputTokens = 12_345, OutputTokens = 678, CostUsd = 0.0421m, CreatedAt = created,
                Findings = [.. findings],
            };
            db.Reviews.Add(review);
            await db.SaveChangesAsync();
            return review;
        });

    /// <summary>A job that gave up, and the delivery parked with it.</summary>
    public static Task<(long DeliveryId, long JobId)> ParkedAsync(NectrApp app, string repo, int number, string sha, string reason) =>
        app.QueryAsync(async db =>
        {
            var job = new ReviewJob
            {
                RepositoryFullName = repo, PullNumber = number, HeadSha = sha, Status = JobStatus.Parked, Attempts = 5, LeaseOwner = "worker-1",
                LastError = "GitHub answered 502", OutcomeReason = reason, PostAttempted = true,
                RunAfterMs = 0, CreatedAt = Now, UpdatedAt = Now, CompletedAt = Now,
            };
            var delivery = new DeliveryRecord
            {
                DeliveryId = Guid.NewGuid().ToString(), Event = "pull_request", Action = "synchronize", RepositoryFullName = repo, PullNumber = number,
                HeadSha = sha, Payload = "{}", ReceivedAt = Now, Outcome = DeliveryOutcome.Parked, OutcomeReason = reason, Job = job, CompletedAt = Now,
            };
            db.Deliveries.Add(delivery);
            await db.SaveChangesAsync();
            return (delivery.Id, job.Id);
        });

    public static Task<long> DeliveryAsync(NectrApp app, string eventName, string? repo, DeliveryOutcome outcome, string? reason = null, DateTime? at = null) =>
        app.QueryAsync(async db =>
        {
            var delivery = new DeliveryRecord
            {
                DeliveryId = Guid.NewGuid().ToString(), Event = eventName, Action = eventName == "ping" ? null : "opened", RepositoryFullName = repo,
                Payload = "{}", ReceivedAt = at ?? Now, Outcome = outcome, OutcomeReason = reason,
            };
            db.Deliveries.Add(delivery);
            await db.SaveChangesAsync();
            return delivery.Id;
        });

    public static FindingRecord Finding(string file, int line, string severity = "warning", bool inline = true) => new()
    {
        RuleId = "llm", File = file, Line = line, Severity = severity, Category = "bug", Title = $"Problem at {line}", Body = "Explain.",
        Suggestion = "fixed();", Inline = inline,
    };

    /// <summary>Sends the POST with the antiforgery token a browser or script would have fetched from /auth/csrf.</summary>
    public static async Task<HttpResponseMessage> PostWithAntiforgeryAsync(HttpClient client, string path, CancellationToken cancellationToken)
    {
        var csrf = await client.GetFromJsonAsync<JsonElement>("/auth/csrf", cancellationToken);
        using var request = new HttpRequestMessage(HttpMethod.Post, path);
        request.Headers.Add(csrf.GetProperty("header_name").GetString()!, csrf.GetProperty("token").GetString());
        return await client.SendAsync(request, cancellationToken);
    }
}
