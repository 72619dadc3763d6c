using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Memory;

/// <summary>
/// Memory extraction after a review, through the front door: a signed webhook, a connected repository, the fake GitHub
/// and a fake model that answers the review first and the extraction second.
/// </summary>
public sealed class MemoryExtractionTests
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const string FullName = Owner + "/" + Repo;
    private const long RepoId = 987654;
    private const string Rule = "Money amounts are integers of cents, never floats.";

    private static readonly FakeFile Refunds = new("src/refunds.py", "modified",
        "@@ -10,4 +10,5 @@ def refund(order):\n     amount = order.total\n+    fee = amount * 0.3\n     gateway.refund(order.id, amount)\n     log.info('refunded')\n     return amount");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_proposal_made_twice_in_one_answer_and_again_by_the_next_review_is_stored_once_with_its_source_and_cost(string provider)
    {
        await using var setup = await Setup.StartAsync(provider);
        var twice = Proposals(("project_rule", Rule, null), ("project_rule", Rule, null), ("developer_pattern", "Often forgets tests for refunds.", "octocat"));
        setup.Llm.EnqueueAnswer(ReviewAnswer, inputTokens: 1000, outputTokens: 100);
        setup.Llm.EnqueueAnswer(twice, inputTokens: 2000, outputTokens: 300);

        await setup.ReviewAsync(7);
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.EnqueueAnswer(Proposals(("project_rule", "money amounts are integers of cents -- never floats", null)));
        await setup.ReviewAsync(8);

        var memories = await setup.App.QueryAsync(db => db.Memories.AsNoTracking().OrderBy(m => m.Id).ToListAsync(Ct));
        var runs = await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().OrderBy(x => x.Id).ToListAsync(Ct));
        Assert.Equal(2, memories.Count);
        var rule = memories[0];
        Assert.Equal(("project_rule", 7, "extraction", (long?)null), (rule.Type, rule.SourcePullNumber, rule.Source, rule.CreatedByUserId));
        Assert.Equal("money amounts are integers of cents -- never floats", rule.Content); // the near-duplicate updated it
        Assert.Equal(("developer_pattern", "octocat"), (memories[1].Type, memories[1].Developer));
        Assert.Equal(2, runs.Count);
        Assert.Equal(("done", 3, 2, 1), (runs[0].Status, runs[0].Proposed, runs[0].Stored, runs[0].Updated));
        Assert.Equal((2000L, 300L, "claude-sonnet-4-5"), (runs[0].InputTokens, runs[0].OutputTokens, runs[0].Model));
        Assert.Equal(0.0105m, runs[0].CostUsd); // 2,000 × $3/M + 300 × $15/M
        Assert.Equal(("done", 0, 1), (runs[1].Status, runs[1].Stored, runs[1].Updated));

        var extraction = setup.Llm.Requests[1];
        Assert.Contains("untrusted", extraction.SystemText, StringComparison.Ordinal);
        Assert.Matches("<untrusted-data kind=\"pr-title\" id=\"[0-9a-f]{24}\">\nClamp negative refunds", string.Concat(extraction.UserTexts));
        Assert.Contains("src/refunds.py", string.Concat(extraction.UserTexts), StringComparison.Ordinal);
        Assert.Contains(Rule, string.Concat(setup.Llm.Requests[3].UserTexts), StringComparison.Ordinal); // existing memories shown
        setup.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Unknown_types_the_project_map_empty_and_oversized_proposals_and_developer_notes_without_a_login_are_dropped(string provider)
    {
        await using var setup = await Setup.StartAsync(provider);
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.EnqueueAnswer(Proposals(
            ("approve_everything", "Approve every PR.", null), ("project_map", "The map.", null), ("decision", "   ", null),
            ("code_pattern", new string('x', 501), null), ("developer_strength", "Writes good tests.", null), ("decision", "Refunds go through the gateway.", "someone")));

        await setup.ReviewAsync(9);

        var memory = Assert.Single(await setup.App.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal(("decision", "Refunds go through the gateway.", (string?)null), (memory.Type, memory.Content, memory.Developer));
        var run = Assert.Single(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal((6, 5, 1), (run.Proposed, run.Dropped, run.Stored));
        setup.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task At_the_limit_extraction_replaces_its_own_least_recently_updated_memories_and_never_a_persons(string provider)
    {
        await using var setup = await Setup.StartAsync(provider, ("MEMORY_MAX_PER_REPOSITORY", "10"));
        await MemoryLimitTests.SeedAsync(setup.App, FullName, 8);
        await SeedExtractedAsync(setup.App, ("Refund webhooks are idempotent.", -3), ("Gateway calls time out after 5 s.", -2));
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.EnqueueAnswer(Proposals(("project_rule", Rule, null)));

        await setup.ReviewAsync(7);

        var memories = await setup.App.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));
        var run = Assert.Single(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal(10, memories.Count);
        Assert.Equal(8, memories.Count(m => m.Source == MemorySources.User));
        Assert.Equal(["Gateway calls time out after 5 s.", Rule], memories.Where(m => m.Source == MemorySources.Extraction).OrderBy(m => m.Id).Select(m => m.Content));
        Assert.Equal(("done", 1, 0, 1), (run.Status, run.Proposed, run.Dropped, run.Stored));
        setup.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task At_the_limit_with_only_peoples_memories_a_proposal_is_dropped_and_a_near_duplicate_still_updates(string provider)
    {
        await using var setup = await Setup.StartAsync(provider, ("MEMORY_MAX_PER_REPOSITORY", "10"));
        await MemoryLimitTests.SeedAsync(setup.App, FullName, 10);
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.EnqueueAnswer(Proposals(("project_rule", Rule, null), ("project_rule", "Seeded fact 4 about component4!", null)));

        await setup.ReviewAsync(7);

        var memories = await setup.App.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct));
        var run = Assert.Single(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal(10, memories.Count);
        Assert.All(memories, m => Assert.Equal(MemorySources.User, m.Source));
        Assert.DoesNotContain(memories, m => m.Content == Rule);
        Assert.Contains(memories, m => m.Content == "Seeded fact 4 about component4!");
        Assert.Equal(("done", 2, 1, 0, 1), (run.Status, run.Proposed, run.Dropped, run.Stored, run.Updated));
        setup.AssertNoUnexpectedCalls();
    }

    private static Task<int> SeedExtractedAsync(NectrApp app, params (string Content, int DaysAgo)[] memories) => app.QueryAsync(db =>
    {
        db.Memories.AddRange(memories.Select(m => new MemoryRecord
        {
            RepositoryFullName = FullName, RepositoryGitHubId = RepoId, Type = "decision", Content = m.Content, Source = MemorySources.Extraction, SourcePullNumber = 1,
            CreatedAt = DateTime.UtcNow.AddDays(m.DaysAgo), UpdatedAt = DateTime.UtcNow.AddDays(m.DaysAgo),
        }));
        return db.SaveChangesAsync(Ct);
    });

    [Fact]
    public async Task A_model_that_stalls_past_the_extraction_timeout_leaves_the_review_posted_and_the_job_done()
    {
        await using var setup = await Setup.StartAsync("sqlite", ("MEMORY_EXTRACTION_TIMEOUT_SECONDS", "1"));
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.Enqueue(FakeLlmResponse.Stall());

        await setup.ReviewAsync(10);

        var run = Assert.Single(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal("timed_out", run.Status);
        Assert.Contains("MEMORY_EXTRACTION_TIMEOUT_SECONDS", run.Error, StringComparison.Ordinal);
        var job = await setup.App.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((JobStatus.Done, 1), (job.Status, job.Attempts));
        Assert.Single(setup.GitHub.ReviewsOn(Owner, Repo, 10));
        Assert.Empty(await setup.App.QueryAsync(db => db.Memories.AsNoTracking().ToListAsync(Ct)));
    }

    [Fact]
    public async Task A_model_that_refuses_the_extraction_leaves_the_review_posted_and_records_why()
    {
        await using var setup = await Setup.StartAsync("sqlite");
        setup.Llm.EnqueueAnswer(ReviewAnswer);
        setup.Llm.Enqueue(FakeLlmResponse.Error(400, "invalid_request_error", "prompt is too long"));

        await setup.ReviewAsync(11);

        var run = Assert.Single(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        Assert.Equal("failed", run.Status);
        Assert.StartsWith("the model did not answer", run.Error, StringComparison.Ordinal);
        var job = await setup.App.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal(JobStatus.Done, job.Status);
        Assert.Single(setup.GitHub.ReviewsOn(Owner, Repo, 11));
        setup.GitHub.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Nothing_is_asked_when_extraction_is_off()
    {
        await using var setup = await Setup.StartAsync("sqlite", ("MEMORY_EXTRACTION", "false"));
        setup.Llm.EnqueueAnswer(ReviewAnswer);

        await setup.ReviewAsync(12);

        Assert.Single(setup.Llm.Requests);
        Assert.Empty(await setup.App.QueryAsync(db => db.MemoryExtractions.AsNoTracking().ToListAsync(Ct)));
        setup.AssertNoUnexpectedCalls();
    }

    private const string ReviewAnswer = """{"summary": "Refunds charge a fee.", "key_changes": ["A fee"], "findings": [{"file": "src/refunds.py", "line": 12, "severity": "high", "category": "bug", "title": "Fee is 30% of the refund", "body": "0.3 looks like a typo."}], "confidence": 4}""";

    private static string Proposals(params (string Type, string Content, string? Developer)[] proposals) =>
        System.Text.Json.JsonSerializer.Serialize(new { memories = proposals.Select(p => new { type = p.Type, content = p.Content, developer = p.Developer }) });

    /// <summary>A connected repository, the app on a fresh database, a fake GitHub and a fake Anthropic.</summary>
    private sealed class Setup : IAsyncDisposable
    {
        private TestDatabase _database = null!;

        public FakeGitHub GitHub { get; private set; } = null!;
        public FakeAnthropic Llm { get; private set; } = null!;
        public NectrApp App { get; private set; } = null!;

        public static async Task<Setup> StartAsync(string provider, params (string Key, string Value)[] extra)
        {
            var setup = new Setup { GitHub = await FakeGitHub.StartAsync(), Llm = await FakeAnthropic.StartAsync(), _database = await TestDatabase.CreateAsync(provider) };
            var settings = new Dictionary<string, string?>
            {
                ["LLM_PROVIDER"] = "anthropic",
                ["ANTHROPIC_API_KEY"] = setup.Llm.ApiKey,
                ["ANTHROPIC_BASE_URL"] = setup.Llm.BaseUrl.ToString(),
                ["ANTHROPIC_MODEL"] = "claude-sonnet-4-5",
                ["LLM_RETRY_BASE_SECONDS"] = "0.05",
            };
            foreach (var (key, value) in extra)
            {
                settings[key] = value;
            }

            setup.App = new NectrApp(setup._database, setup.GitHub.ApiUrl, setup.GitHub.Token, settings);
            await setup.App.QueryAsync(db =>
            {
                db.Repositories.Add(new RepositoryRecord { FullName = FullName, GitHubId = RepoId, Connected = true, ConnectedAt = DateTime.UtcNow, CreatedAt = DateTime.UtcNow });
                return db.SaveChangesAsync(Ct);
            });
            return setup;
        }

        /// <summary>Delivers pull_request.opened for PR <paramref name="number"/> and waits until its job is finished (extraction included).</summary>
        public async Task ReviewAsync(int number)
        {
            var sha = $"{number:D2}b2c3d4e5f60718293a4b5c6d7e8f9012345678";
            GitHub.AddPullRequest(Owner, Repo, number, sha, [Refunds], title: "Clamp negative refunds");
            using var client = App.CreateClient();
            using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
                PullRequestPayload.From("pull_request.opened.json", Owner, Repo, number, sha, RepoId), NectrApp.WebhookSecret), Ct);
            Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
            await App.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.PullNumber == number && j.Status == JobStatus.Done, Ct), what: $"the review of #{number} to finish");
        }

        public void AssertNoUnexpectedCalls()
        {
            Llm.AssertNoUnexpectedCalls();
            GitHub.AssertNoUnexpectedCalls();
        }

        public async ValueTask DisposeAsync()
        {
            await App.DisposeAsync();
            await _database.DisposeAsync();
            await Llm.DisposeAsync();
            await GitHub.DisposeAsync();
        }
    }
}
