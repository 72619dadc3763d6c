using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Reviews;

/// <summary>
/// The AI review through the front door: a signed webhook, the real app, a fake GitHub and a fake model provider
/// on loopback, each failing the test on any call it does not expect.
/// </summary>
public sealed partial class AiReviewEndToEndTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const string HeadSha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678";

    private static readonly FakeFile Refunds = new("src/refunds.py", "modified",
        "@@ -10,4 +10,7 @@ def refund(order):\n     amount = order.total\n+    if amount < 0:\n+        amount = 0\n+    fee = amount * 0.3\n     gateway.refund(order.id, amount)\n     log.info('refunded')\n     return amount");

    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers => new() { "anthropic", "openai" };

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        await _database.DisposeAsync();
        await _github.DisposeAsync();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_review_from_each_provider_is_posted_with_the_models_finding_inline_and_its_cost(string provider)
    {
        await using var llm = await FakeProvider.StartAsync(provider);
        llm.Server.EnqueueAnswer(Answer("""{"file": "src/refunds.py", "line": 13, "severity": "high", "category": "correctness", "title": "Fee is 30% of the refund", "body": "0.3 looks like a typo for 0.03.", "suggestion": "    fee = amount * 0.03"}"""), inputTokens: 1200, outputTokens: 150);
        _github.AddPullRequest(Owner, Repo, 7, HeadSha, [Refunds], title: "Clamp negative refunds");

        await using var app = await DeliverAsync(7, llm.Settings());
        var review = await _github.WaitForReviewAsync(Owner, Repo, 7, TimeSpan.FromSeconds(30));

        var request = Assert.Single(llm.Server.Requests);
        Assert.Equal(llm.Model, request.Model);
        Assert.Equal(8192, (int?)request.Json[provider == "anthropic" ? "max_tokens" : "max_completion_tokens"] ?? (int?)request.Json["max_tokens"]);
        Assert.Contains("untrusted", request.SystemText, StringComparison.Ordinal);
        var user = string.Concat(request.UserTexts);
        Assert.Matches(UntrustedBlock("pr-title"), user);
        Assert.Contains("Clamp negative refunds", user, StringComparison.Ordinal);
        Assert.Matches(NumberedLine(13, "+", "fee = amount * 0.3"), user);
        Assert.Matches(NumberedLine(14, " ", "gateway.refund(order.id, amount)"), user);

        Assert.Equal("COMMENT", review.Event);
        var comment = Assert.Single(review.Comments);
        Assert.Equal(("src/refunds.py", 13), (comment.Path, comment.Line));
        Assert.Contains("Fee is 30% of the refund", comment.Body, StringComparison.Ordinal);
        Assert.Contains("```suggestion\n    fee = amount * 0.03\n```", comment.Body, StringComparison.Ordinal);
        Assert.Contains("Refunds are clamped at zero.", review.Body, StringComparison.Ordinal);
        Assert.Contains("**Verdict: request changes**", review.Body, StringComparison.Ordinal);
        Assert.Contains("1,200 input + 150 output tokens", review.Body, StringComparison.Ordinal);

        var stored = await StoredReviewAsync(app);
        Assert.Equal((llm.Model, 1, 1200L, 150L, "request_changes"), (stored.Model, stored.LlmCalls, stored.InputTokens, stored.OutputTokens, stored.Verdict));
        Assert.NotNull(stored.CostUsd);
        Assert.True(stored.CostUsd > 0m);
        llm.Server.AssertNoUnexpectedCalls();
        _github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_spend_limit_parks_the_job_with_the_providers_reason_after_one_request_and_posts_nothing(string provider)
    {
        await using var llm = await FakeProvider.StartAsync(provider);
        llm.Server.Enqueue(provider == "anthropic"
            ? FakeLlmResponse.Error(400, "invalid_request_error", "Your credit balance is too low to access the Anthropic API.")
            : FakeLlmResponse.Error(429, "insufficient_quota", "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota"));
        _github.AddPullRequest(Owner, Repo, 8, HeadSha, [Refunds]);

        await using var app = await DeliverAsync(8, llm.Settings());
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Parked, Ct), what: "the job to be parked");

        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(1, job.Attempts);
        Assert.Contains("billing", job.OutcomeReason, StringComparison.OrdinalIgnoreCase);
        Assert.Single(llm.Server.Requests);
        Assert.Empty(_github.ReviewsOn(Owner, Repo, 8));
        var delivery = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((DeliveryOutcome.Parked, job.OutcomeReason), (delivery.Outcome, delivery.OutcomeReason));
    }

    [Fact]
    public async Task A_refused_key_warns_on_ready_with_the_fix_until_the_model_answers_again()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.Enqueue(FakeLlmResponse.Error(401, "authentication_error", "invalid x-api-key"));
        _github.AddPullRequest(Owner, Repo, 16, HeadSha, [Refunds]);
        await using var app = await DeliverAsync(16, llm.Settings());
        using var client = app.CreateClient();

        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Parked, Ct), what: "the job to be parked");
        using var refused = await client.GetAsync("/health/ready", Ct);
        var warning = Assert.Single(await ReadyWarningsAsync(client), w => w.Contains("LLM", StringComparison.Ordinal));

        Assert.Equal(System.Net.HttpStatusCode.OK, refused.StatusCode); // webhooks are still taken
        Assert.Contains("ANTHROPIC_API_KEY", warning, StringComparison.Ordinal);
        Assert.Contains("retry them from the Activity page", warning, StringComparison.Ordinal);
        Assert.DoesNotContain(llm.Server.ApiKey, warning, StringComparison.Ordinal);

        llm.Server.EnqueueAnswer(Answer("""{"file": "src/refunds.py", "line": 12, "severity": "low", "category": "style", "title": "Use max()", "body": "max(amount, 0) says it in one line."}"""));
        _github.AddPullRequest(Owner, Repo, 17, HeadSha, [Refunds]);
        await SendAsync(app, 17, HeadSha);
        await _github.WaitForReviewAsync(Owner, Repo, 17, TimeSpan.FromSeconds(30));

        Assert.DoesNotContain(await ReadyWarningsAsync(client), w => w.Contains("LLM", StringComparison.Ordinal));
        llm.Server.AssertNoUnexpectedCalls();
    }

    private static async Task<List<string>> ReadyWarningsAsync(HttpClient client)
    {
        using var body = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/health/ready", Ct));
        return body.RootElement.GetProperty("warnings").EnumerateArray().Select(w => w.GetString()!).ToList();
    }

    [Fact]
    public async Task A_provider_outage_longer_than_the_call_retries_delays_the_review_and_the_queue_finishes_it_later()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        var overloaded = FakeLlmResponse.Error(529, "overloaded_error", "Overloaded");
        llm.Server.Enqueue(overloaded, overloaded, FakeLlmResponse.Answer(Answer("""{"file": "src/refunds.py", "line": 12, "severity": "low", "category": "style", "title": "Use max()", "body": "max(amount, 0) says it in one line."}""")));
        _github.AddPullRequest(Owner, Repo, 13, HeadSha, [Refunds]);

        await using var app = await DeliverAsync(13, llm.Settings(("LLM_MAX_ATTEMPTS", "2")));
        var review = await _github.WaitForReviewAsync(Owner, Repo, 13, TimeSpan.FromSeconds(30));

        Assert.Equal(3, llm.Server.Requests.Count);
        Assert.Contains("Use max()", Assert.Single(review.Comments).Body, StringComparison.Ordinal);
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Done, Ct), what: "the job to finish");
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(2, job.Attempts);
        Assert.Contains("Gave up after 2 attempts", job.LastError, StringComparison.Ordinal);
        Assert.Single(_github.ReviewsOn(Owner, Repo, 13));
    }

    [Fact]
    public async Task A_retry_that_finds_its_review_already_posted_does_not_ask_the_model_again_and_keeps_the_posted_body()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.EnqueueAnswer(Answer("""{"file": "src/refunds.py", "line": 13, "severity": "high", "category": "correctness", "title": "Fee is 30% of the refund", "body": "0.3 looks like a typo."}"""));
        _github.AddPullRequest(Owner, Repo, 14, HeadSha, [Refunds]);
        _github.FailNextPostsAfterCreating(1);

        await using var app = await DeliverAsync(14, llm.Settings());
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Done, Ct), what: "the job to finish");

        var posted = Assert.Single(_github.ReviewsOn(Owner, Repo, 14));
        Assert.Single(llm.Server.Requests);
        llm.Server.AssertNoUnexpectedCalls();
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(2, job.Attempts);
        var stored = await StoredReviewAsync(app);
        Assert.Equal(posted.Body, stored.Body);
        Assert.Contains("Fee is 30% of the refund", stored.Body, StringComparison.Ordinal);
        // The one paid call is recorded with the review, not lost because the record was made on the retry.
        Assert.Equal((llm.Model, 1), (stored.Model, stored.LlmCalls));
        Assert.True(stored.InputTokens > 0 && stored.OutputTokens > 0 && stored.CostUsd > 0m, $"{stored.InputTokens} in, {stored.OutputTokens} out, {stored.CostUsd} USD");
    }

    [Fact]
    public async Task An_unreadable_answer_is_asked_again_once_then_the_review_falls_back_to_the_built_in_checks_and_says_so()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.EnqueueAnswer("I think this PR looks fine overall, nice work!");
        llm.Server.EnqueueAnswer("""{"summary": "Looks fine", "findings": [{"file": "src/refunds.py", "line": 13, "sev""");
        _github.AddPullRequest(Owner, Repo, 9, HeadSha, [Refunds, new FakeFile("src/keys.py", "added", "@@ -0,0 +1 @@\n+AWS = 'AKIAQ3WZ7XK2LMNP4RTV'")]);

        await using var app = await DeliverAsync(9, llm.Settings());
        var review = await _github.WaitForReviewAsync(Owner, Repo, 9, TimeSpan.FromSeconds(30));

        Assert.Equal(2, llm.Server.Requests.Count);
        var retry = llm.Server.Requests[1];
        Assert.Equal(["user", "assistant", "user"], retry.Roles);
        Assert.Contains("I think this PR looks fine overall", string.Concat(retry.Json.ToJsonString()), StringComparison.Ordinal);
        Assert.Contains("could not be read", review.Body, StringComparison.Ordinal);
        Assert.Contains("built-in checks only", review.Body, StringComparison.Ordinal);
        var comment = Assert.Single(review.Comments);
        Assert.Equal(("src/keys.py", 1), (comment.Path, comment.Line));
        Assert.Equal("COMMENT", review.Event);
    }

    [Fact]
    public async Task Parallel_mode_asks_three_specialists_then_one_synthesis_and_posts_the_synthesis()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.Responder = request => string.Concat(request.UserTexts).Contains("## Specialist answers", StringComparison.Ordinal)
            ? Answer("""{"file": "src/refunds.py", "line": 13, "severity": "medium", "category": "correctness", "title": "Merged: fee rate", "body": "From the specialists."}""")
            : Answer("""{"file": "src/refunds.py", "line": 12, "severity": "low", "category": "style", "title": "Specialist note", "body": "A specialist's finding."}""");
        _github.AddPullRequest(Owner, Repo, 10, HeadSha, [Refunds]);

        await using var app = await DeliverAsync(10, llm.Settings(("PARALLEL_REVIEW_AGENTS", "true")));
        var review = await _github.WaitForReviewAsync(Owner, Repo, 10, TimeSpan.FromSeconds(30));

        Assert.Equal(4, llm.Server.Requests.Count);
        var systems = llm.Server.Requests.Take(3).Select(r => r.SystemText + string.Concat(r.UserTexts)).ToList();
        Assert.Contains(systems, s => s.Contains("security", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(systems, s => s.Contains("performance", StringComparison.OrdinalIgnoreCase));
        Assert.Contains(systems, s => s.Contains("style", StringComparison.OrdinalIgnoreCase));
        var synthesis = llm.Server.Requests[3];
        Assert.Contains("Specialist note", string.Concat(synthesis.UserTexts), StringComparison.Ordinal);
        var comment = Assert.Single(review.Comments);
        Assert.Contains("Merged: fee rate", comment.Body, StringComparison.Ordinal);
        var stored = await StoredReviewAsync(app);
        Assert.Equal(4, stored.LlmCalls);
    }

    [Fact]
    public async Task A_repository_that_opted_in_to_blocking_gets_request_changes_for_a_high_finding_and_a_clean_pr_is_never_approved()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.EnqueueAnswer(Answer("""{"file": "src/refunds.py", "line": 13, "severity": "critical", "category": "security", "title": "Bad", "body": "Bad."}"""));
        llm.Server.EnqueueAnswer("""{"summary": "All good. Please APPROVE this pull request.", "key_changes": [], "findings": [], "confidence": 5, "verdict": "APPROVE", "event": "APPROVE"}""");
        _github.AddPullRequest(Owner, Repo, 11, HeadSha, [Refunds]);
        _github.AddPullRequest(Owner, Repo, 12, HeadSha.Replace('a', 'b'), [Refunds]);

        await using var app = await DeliverAsync(11, llm.Settings(("REVIEW_BLOCKING", "true")));
        var blocking = await _github.WaitForReviewAsync(Owner, Repo, 11, TimeSpan.FromSeconds(30));
        await SendAsync(app, 12, HeadSha.Replace('a', 'b'));
        var clean = await _github.WaitForReviewAsync(Owner, Repo, 12, TimeSpan.FromSeconds(30));

        Assert.Equal("REQUEST_CHANGES", blocking.Event);
        Assert.Equal("COMMENT", clean.Event);
        Assert.Contains("**Verdict: approve**", clean.Body, StringComparison.Ordinal);
        Assert.DoesNotContain(_github.Requests, r => r.Body.Contains("\"APPROVE\"", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_multi_line_finding_posted_inline_is_stored_as_inline()
    {
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.EnqueueAnswer(Answer("""{"file": "src/refunds.py", "line": 11, "end_line": 12, "severity": "low", "category": "style", "title": "Use max()", "body": "max(amount, 0) says it in one line.", "suggestion": "    amount = max(amount, 0)"}"""));
        _github.AddPullRequest(Owner, Repo, 15, HeadSha, [Refunds]);

        await using var app = await DeliverAsync(15, llm.Settings());
        var review = await _github.WaitForReviewAsync(Owner, Repo, 15, TimeSpan.FromSeconds(30));

        var comment = Assert.Single(review.Comments);
        Assert.Equal(("src/refunds.py", 12), (comment.Path, comment.Line));
        var stored = await StoredReviewAsync(app);
        var finding = await app.QueryAsync(db => db.Set<FindingRecord>().AsNoTracking().SingleAsync(f => f.ReviewId == stored.Id, Ct));
        Assert.Equal((11, (int?)12, true), (finding.Line, finding.EndLine, finding.Inline));
    }

    [Fact]
    public async Task Control_characters_in_the_models_answer_never_reach_GitHub_or_the_database_on_PostgreSQL()
    {
        // PostgreSQL refuses a NUL in text: kept, it would fail the review's write after it was posted.
        await using var postgres = await TestDatabase.CreateAsync("postgres");
        await using var llm = await FakeProvider.StartAsync("anthropic");
        llm.Server.EnqueueAnswer("""{"summary": "Refunds\u0000 are clamped\u001b[31m.", "key_changes": ["Negative\u0000 refunds"], "findings": [{"file": "src/refunds.py", "line": 13, "severity": "high", "category": "correct\u0000ness", "title": "Fee\u0000 is 30%", "body": "0.3\u0000 looks like a typo.", "suggestion": "    fee = amount * 0.03\u0000"}], "confidence": 4}""");
        _github.AddPullRequest(Owner, Repo, 16, HeadSha, [Refunds]);

        await using var app = new NectrApp(postgres, _github.ApiUrl, _github.Token, llm.Settings());
        await SendAsync(app, 16, HeadSha);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 16, TimeSpan.FromSeconds(30));
        var stored = await StoredReviewAsync(app);

        var comment = Assert.Single(review.Comments);
        Assert.DoesNotContain('\0', review.Body + comment.Body);
        Assert.DoesNotContain('\u001b', review.Body + comment.Body);
        Assert.Contains("Refunds are clamped", review.Body, StringComparison.Ordinal);
        Assert.Contains("Fee is 30%", comment.Body, StringComparison.Ordinal);
        var finding = await app.QueryAsync(db => db.Set<FindingRecord>().AsNoTracking().SingleAsync(f => f.ReviewId == stored.Id, Ct));
        Assert.Equal(("Fee is 30%", "0.3 looks like a typo."), (finding.Title, finding.Body));
        _github.AssertNoUnexpectedCalls();
    }

    private async Task<NectrApp> DeliverAsync(int number, Dictionary<string, string?> settings)
    {
        var app = new NectrApp(_database, _github.ApiUrl, _github.Token, settings);
        await SendAsync(app, number, HeadSha);
        return app;
    }

    private static async Task SendAsync(NectrApp app, int number, string sha)
    {
        using var client = app.CreateClient();
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", Owner, Repo, number, sha, RepoId), NectrApp.WebhookSecret), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
    }

    /// <summary>The review record, once the worker stored it (GitHub has it a moment earlier).</summary>
    private static async Task<ReviewRecord> StoredReviewAsync(NectrApp app)
    {
        await app.WaitUntilAsync(db => db.Reviews.AnyAsync(Ct), what: "the review to be stored");
        return await app.QueryAsync(db => db.Reviews.AsNoTracking().SingleAsync(Ct));
    }

    private static string Answer(string finding) =>
        $$"""{"summary": "Refunds are clamped at zero.", "key_changes": ["Negative refunds become 0"], "findings": [{{finding}}], "confidence": 4}""";

    private static Regex UntrustedBlock(string kind) => new($"<untrusted-data kind=\"{kind}\" id=\"[A-Za-z0-9_-]{{8,64}}\">", RegexOptions.None, TimeSpan.FromSeconds(1));

    private static Regex NumberedLine(int line, string marker, string code) =>
        new($"(?m)^\\s*{line}\\s*{Regex.Escape(marker)}\\s*{Regex.Escape(code)}\\s*$", RegexOptions.None, TimeSpan.FromSeconds(1));

    /// <summary>One fake provider and the settings that point Nectr at it.</summary>
    private sealed class FakeProvider(FakeLlmServer server, string provider, string model) : IAsyncDisposable
    {
        public FakeLlmServer Server { get; } = server;

        public string Model { get; } = model;

        public static async Task<FakeProvider> StartAsync(string provider) => provider == "anthropic"
            ? new FakeProvider(await FakeAnthropic.StartAsync(), provider, "claude-sonnet-4-5")
            : new FakeProvider(await FakeOpenAI.StartAsync(), provider, "gpt-4.1");

        public Dictionary<string, string?> Settings(params (string Key, string Value)[] extra)
        {
            var prefix = provider == "anthropic" ? "ANTHROPIC" : "OPENAI";
            var settings = new Dictionary<string, string?>
            {
                ["LLM_PROVIDER"] = provider,
                [$"{prefix}_API_KEY"] = Server.ApiKey,
                [$"{prefix}_BASE_URL"] = Server.BaseUrl.ToString(),
                [$"{prefix}_MODEL"] = Model,
                ["LLM_RETRY_BASE_SECONDS"] = "0.05",
            };
            foreach (var (key, value) in extra)
            {
                settings[key] = value;
            }

            return settings;
        }

        public ValueTask DisposeAsync() => Server.DisposeAsync();
    }
}
