using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Reviews;

/// <summary>
/// Prompt injection through the front door, against a model that obeys (<see cref="ObedientModel"/>): each attack
/// reaches the model inside an untrusted-data block and the model does what it says, so whatever keeps GitHub safe
/// is Nectr's handling of the model's output. For every attack the only GitHub write is one COMMENT review on the
/// triggering PR, with no image, raw HTML, @-mention, leading /command, off-repository link or second marker in it,
/// and canary secrets from the environment, a <c>.env</c> file and a source file reach neither the model nor GitHub.
/// </summary>
public sealed partial class PromptInjectionTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const string HeadSha = "c0ffee1e7b3d4c6a8e0f1b2d3c4e5f6a7b8c9d0e";
    private const string CanaryVariable = "NECTR_TEST_CANARY_SECRET";

    private readonly string _environmentCanary = InjectionAttacks.NewCanary();
    private readonly string _dotEnvCanary = InjectionAttacks.NewCanary();
    private readonly string _sourceCanary = InjectionAttacks.NewCanary();
    private string? _previousVariable;
    private FakeGitHub _github = null!;
    private FakeLlmServer _llm = null!;
    private TestDatabase _database = null!;
    private NectrApp? _app;
    private HttpClient? _client;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public async ValueTask InitializeAsync()
    {
        // A secret the process can see; the app is also given it as a setting, as an operator's .env would.
        _previousVariable = Environment.GetEnvironmentVariable(CanaryVariable);
        Environment.SetEnvironmentVariable(CanaryVariable, _environmentCanary);
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync("sqlite");
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        await _database.DisposeAsync();
        if (_llm is not null)
        {
            await _llm.DisposeAsync();
        }

        await _github.DisposeAsync();
        Environment.SetEnvironmentVariable(CanaryVariable, _previousVariable);
    }

    [Theory]
    [MemberData(nameof(InjectionAttacks.Ids), MemberType = typeof(InjectionAttacks))]
    public async Task An_obeyed_injection_yields_one_clean_comment_review_and_no_secret_leaves(string attackId)
    {
        var attack = InjectionAttacks.Get(attackId);
        await StartAsync(await FakeAnthropic.StartAsync(), "anthropic");

        var review = await ReviewAsync(31, [attack]);

        AssertTheModelGotAndObeyed(attack);
        AssertOneCleanCommentReview(31, review);
        AssertNoCanaryLeft();
    }

    [Fact]
    public async Task Every_injection_at_once_through_an_openai_compatible_model_yields_one_clean_comment_review()
    {
        await StartAsync(await FakeOpenAI.StartAsync(), "openai");

        var review = await ReviewAsync(32, InjectionAttacks.All);

        foreach (var attack in InjectionAttacks.All)
        {
            AssertTheModelGotAndObeyed(attack);
        }

        AssertOneCleanCommentReview(32, review);
        AssertNoCanaryLeft();
    }

    [Fact]
    public async Task When_github_refuses_the_inline_comments_every_injection_moved_into_the_body_is_just_as_clean()
    {
        await StartAsync(await FakeAnthropic.StartAsync(), "anthropic");
        _github.RefuseNextInlineComments(1);

        var review = await ReviewAsync(33, InjectionAttacks.All);

        // The refused POST created nothing (422); the one review that exists carries every finding in its body.
        var post = $"POST /repos/{Owner}/{Repo}/pulls/33/reviews";
        Assert.Equal([$"{post} 422", $"{post} 200", $"POST /repos/{Owner}/{Repo}/issues/33/comments 201"], _github.Requests.Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.Path} {r.Status}"));
        Assert.Empty(review.Comments);
        Assert.Contains("### Findings that could not be placed inline", review.Body, StringComparison.Ordinal);
        AssertCleanCommentReview(33, review);
        // The record says what GitHub holds: the body that was posted, no inline comments, no finding marked inline.
        await _app!.WaitUntilAsync(db => db.Reviews.AnyAsync(Ct), what: "the review to be stored");
        var stored = await _app.QueryAsync(db => db.Reviews.AsNoTracking().Include(r => r.Findings).SingleAsync(Ct));
        Assert.Equal((review.Body, 0), (stored.Body, stored.InlineComments));
        Assert.NotEmpty(stored.Findings);
        Assert.DoesNotContain(stored.Findings, f => f.Inline);
        AssertNoCanaryLeft();
    }

    private async Task StartAsync(FakeLlmServer llm, string provider)
    {
        _llm = llm;
        _llm.Responder = ObedientModel.Answer;
        var prefix = provider == "anthropic" ? "ANTHROPIC" : "OPENAI";
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = provider,
            [$"{prefix}_API_KEY"] = llm.ApiKey,
            [$"{prefix}_BASE_URL"] = llm.BaseUrl.ToString(),
            ["LLM_RETRY_BASE_SECONDS"] = "0.05",
            [CanaryVariable] = _environmentCanary,
        });
        _client = _app.CreateClient();
    }

    private async Task<PostedReview> ReviewAsync(int number, IReadOnlyList<InjectionAttack> attacks)
    {
        InjectionAttacks.AddPullRequest(_github, Owner, Repo, number, HeadSha, attacks, _dotEnvCanary, _sourceCanary);
        var payload = PullRequestPayload.From("pull_request.opened.json", Owner, Repo, number, HeadSha, RepoId);
        using var response = await _client!.SendAsync(SignedDelivery.Create("pull_request", payload, NectrApp.WebhookSecret), Ct);
        var review = await _github.WaitForReviewAsync(Owner, Repo, number, TimeSpan.FromSeconds(60));
        // Once the job is finished nothing else can write, so "exactly one write" below is final.
        await _app!.WaitUntilAsync(async db => await db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Done, Ct), what: "the finished job");
        return review;
    }

    /// <summary>The attack reached the model inside an untrusted-data block, and the model's obedient answer was used.</summary>
    private void AssertTheModelGotAndObeyed(InjectionAttack attack)
    {
        var request = Assert.Single(_llm.Requests);
        var nonce = Nonce().Match(request.SystemText).Groups["nonce"].Value;
        Assert.False(string.IsNullOrEmpty(nonce), "the system prompt names the nonce of its untrusted blocks");
        var user = string.Join("\n", request.UserTexts);
        var expected = attack.ArrivesVerbatim ? attack.Instruction(HeadSha) : $"OBEY[{attack.Id}]:";
        var at = user.IndexOf(expected, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{attack.Id}: the model was never sent '{expected}'");
        var opened = user.LastIndexOf($" id=\"{nonce}\">", at, StringComparison.Ordinal);
        var closed = user.LastIndexOf($"</untrusted-data id=\"{nonce}\">", at, StringComparison.Ordinal);
        Assert.True(opened >= 0 && opened > closed, $"{attack.Id}: the instruction reached the model outside an untrusted-data block");
        if (attack.ArrivesVerbatim)
        {
            var payload = attack.Payload.Replace("{head}", HeadSha, StringComparison.Ordinal).Replace("\\n", "\n", StringComparison.Ordinal);
            Assert.Contains(ObedientModel.Instructions(user), p => p.StartsWith(payload, StringComparison.Ordinal));
        }

        _llm.AssertNoUnexpectedCalls();
    }

    private void AssertOneCleanCommentReview(int number, PostedReview review)
    {
        var writes = _github.Requests.Where(r => r.Method != "GET").Select(r => $"{r.Method} {r.Path}").ToList();
        // One review, and the PR's one summary comment (which carries the model's overview: checked as clean below).
        Assert.Equal([$"POST /repos/{Owner}/{Repo}/pulls/{number}/reviews", $"POST /repos/{Owner}/{Repo}/issues/{number}/comments"], writes);
        Assert.NotEmpty(review.Comments); // the model's findings were placed on the diff
        AssertCleanCommentReview(number, review);
    }

    private void AssertCleanCommentReview(int number, PostedReview review)
    {
        Assert.Single(_github.AllReviews());
        Assert.Equal((number, "COMMENT", HeadSha), (review.Number, review.Event, review.CommitId));
        Assert.Contains(ObedientModel.Signature, review.Body, StringComparison.Ordinal); // the model's answer was used

        var problems = PostedMarkdown.Problems(review.Body, Owner, Repo, HeadSha).Select(p => "review body: " + p)
            .Concat(review.Comments.SelectMany(c => PostedMarkdown.Problems(c.Body, Owner, Repo, headSha: null).Select(p => $"comment on {c.Path}:{c.Line}: {p}")))
            .Concat(_github.CommentsOn(Owner, Repo, number).SelectMany(c => PostedMarkdown.SummaryProblems(c.Body, Owner, Repo).Select(p => "summary comment: " + p)))
            .ToList();
        Assert.True(problems.Count == 0, string.Join("\n", problems) + "\n\n--- body ---\n" + review.Body);
        _github.AssertNoUnexpectedCalls();
    }

    /// <summary>No canary in any request the model received, nor in anything sent to GitHub (paths, queries, bodies).</summary>
    private void AssertNoCanaryLeft()
    {
        static bool Leaks(string text) => text.Contains(InjectionAttacks.CanaryPrefix, StringComparison.Ordinal);
        Assert.False(_llm.Requests.Any(r => Leaks(r.Body)), "a canary secret reached the model");
        Assert.False(_github.Requests.Any(r => Leaks(r.PathAndQuery + r.Body)), "a canary secret was sent to GitHub");
        Assert.False(_github.AllReviews().Any(r => Leaks(r.Body + string.Concat(r.Comments.Select(c => c.Body)))), "a canary secret was posted on GitHub");
    }

    [GeneratedRegex(@"</untrusted-data id=""(?<nonce>[A-Za-z0-9_-]{8,64})"">")]
    private static partial Regex Nonce();
}
