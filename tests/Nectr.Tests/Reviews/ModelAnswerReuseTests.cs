using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Reviews;

/// <summary>
/// One retry budget per job, through the front door: a pull request big enough for four model calls, a model that
/// fails on the third, and the job queue's retry. What was answered is not asked (nor paid for) again, and the stored
/// review counts every paid call once.
/// </summary>
public sealed partial class ModelAnswerReuseTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private const long RepoId = 555001;
    private const string HeadSha = "feed000000000000000000000000000000000004";
    private const int Parts = 4;

    private FakeGitHub _github = null!;
    private FakeAnthropic _model = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        _github = await FakeGitHub.StartAsync();
        _model = await FakeAnthropic.StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _model.DisposeAsync();
        await _github.DisposeAsync();
    }

    public static TheoryData<string> Providers => TestDatabase.Providers;

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_job_retried_after_part_2_of_4_asks_only_parts_3_and_4_and_the_review_counts_each_paid_call_once(string provider)
    {
        var serverError = FakeLlmResponse.Error(500, "api_error", "Internal server error");
        _model.Enqueue(Part(1), Part(2), serverError, serverError, Part(3), Part(4));

        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await DeliverAsync(database, 21);
        var review = await _github.WaitForReviewAsync(Owner, Repo, 21, TimeSpan.FromSeconds(60));
        var stored = await StoredReviewAsync(app);

        var requests = _model.Requests;
        Assert.Equal([200, 200, 500, 500, 200, 200], requests.Select(r => r.Status));
        Assert.Equal([1, 2, 3, 3, 3, 4], requests.Select(PartOf));
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((JobStatus.Done, 2), (job.Status, job.Attempts));
        Assert.All(Enumerable.Range(1, Parts), n => Assert.Contains($"Summary of part {n}.", review.Body, StringComparison.Ordinal));

        // Four answered calls of 1,000 input and 100 output tokens; the failed ones answered nothing and cost nothing.
        Assert.Equal((Parts, 4_000L, 400L), (stored.LlmCalls, stored.InputTokens, stored.OutputTokens));
        Assert.Equal(Parts * ((1_000 * 3m) + (100 * 15m)) / 1_000_000m, stored.CostUsd);
        Assert.Contains("4,000 input + 400 output tokens", review.Body, StringComparison.Ordinal);
        Assert.Single(_github.ReviewsOn(Owner, Repo, 21));
        // Once the job is done no attempt can reuse its answers: they are not kept.
        Assert.Equal(0, await app.QueryAsync(db => db.ModelAnswers.CountAsync(Ct)));
        _model.AssertNoUnexpectedCalls();
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_retried_job_shares_one_retry_among_its_remaining_calls_instead_of_llm_max_attempts_each()
    {
        var serverError = FakeLlmResponse.Error(500, "api_error", "Internal server error");
        _model.Enqueue(Part(1), Part(2), serverError, serverError, serverError, Part(3), serverError, Part(4));

        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await DeliverAsync(database, 22);
        await _github.WaitForReviewAsync(Owner, Repo, 22, TimeSpan.FromSeconds(60));
        var stored = await StoredReviewAsync(app);

        // Attempt 1: parts 1, 2, then part 3 twice (LLM_MAX_ATTEMPTS=2). Attempt 2 has one retry for the whole run:
        // part 3 spends it, so part 4's failure goes back to the queue at once. Attempt 3: part 4 only.
        Assert.Equal([1, 2, 3, 3, 3, 3, 4, 4], _model.Requests.Select(PartOf));
        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        Assert.Equal((JobStatus.Done, 3), (job.Status, job.Attempts));
        Assert.Contains("retry budget is spent", job.LastError, StringComparison.Ordinal);
        Assert.Equal(Parts, stored.LlmCalls);
        _model.AssertNoUnexpectedCalls();
    }

    private async Task<NectrApp> DeliverAsync(TestDatabase database, int number)
    {
        _github.AddPullRequest(Owner, Repo, number, HeadSha, Enumerable.Range(1, Parts).Select(File));
        var app = new NectrApp(database, _github.ApiUrl, _github.Token, new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = _model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = _model.BaseUrl.ToString(),
            ["ANTHROPIC_MODEL"] = "claude-sonnet-4-5",
            ["LLM_RETRY_BASE_SECONDS"] = "0.01",
            ["LLM_MAX_ATTEMPTS"] = "2",
            // Room for one file per call: four files, four parts.
            ["LLM_CONTEXT_TOKENS"] = "8192",
            ["LLM_OUTPUT_TOKENS"] = "1024",
            ["LLM_MAX_CALLS"] = Parts.ToString(CultureInfo.InvariantCulture),
        });
        using var client = app.CreateClient();
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", Owner, Repo, number, HeadSha, RepoId), NectrApp.WebhookSecret), Ct);
        Assert.Equal(System.Net.HttpStatusCode.Accepted, response.StatusCode);
        return app;
    }

    private static async Task<ReviewRecord> StoredReviewAsync(NectrApp app)
    {
        await app.WaitUntilAsync(db => db.Reviews.AnyAsync(Ct), what: "the review to be stored");
        return await app.QueryAsync(db => db.Reviews.AsNoTracking().SingleAsync(Ct));
    }

    private static FakeLlmResponse Part(int n) => FakeLlmResponse.Answer(
        $$"""{"summary": "Summary of part {{n}}.", "key_changes": [], "findings": [], "confidence": 4}""", inputTokens: 1_000, outputTokens: 100);

    /// <summary>Which file (so which part) a request showed the model: each part holds exactly one file.</summary>
    private static int PartOf(RecordedLlmRequest request)
    {
        var match = FileName().Match(string.Concat(request.UserTexts));
        Assert.True(match.Success, "a request without a file of this pull request");
        return int.Parse(match.Groups["n"].Value, CultureInfo.InvariantCulture);
    }

    /// <summary>A source file of about 2,500 tokens: more than half of one call's room, so no two share a call.</summary>
    private static FakeFile File(int n)
    {
        var patch = new StringBuilder("@@ -1,1 +1,121 @@\n export const table = [\n");
        for (var line = 0; line < 120; line++)
        {
            patch.Append(CultureInfo.InvariantCulture, $"+  {{ account: \"ledger-{n}-{line}\", limit: {line * 37 % 1000}, owner: \"team-{line % 7}\" }},\n");
        }

        return new FakeFile($"src/ledger{n}.ts", "modified", patch.ToString().TrimEnd('\n'));
    }

    [GeneratedRegex(@"src/ledger(?<n>\d)\.ts")]
    private static partial Regex FileName();
}
