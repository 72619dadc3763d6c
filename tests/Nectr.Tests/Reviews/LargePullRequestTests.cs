using System.Text;
using Microsoft.EntityFrameworkCore;
using Nectr.Engine.Budget;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Reviews;

/// <summary>A pull request far over the token budget: bounded calls, every call within budget, nothing left out silently.</summary>
public sealed class LargePullRequestTests
{
    private const string Owner = "octo-org";
    private const string Repo = "monorepo";
    private const string HeadSha = "3000f11e5000000000000000000000000000abcd";
    private const int ContextTokens = 30_000;
    private const int OutputTokens = 4_000;
    private const int MaxCalls = 3;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_3000_file_pr_is_reviewed_in_at_most_k_calls_within_the_budget_and_every_file_not_sent_is_in_coverage()
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var model = await FakeAnthropic.StartAsync();
        model.Responder = _ => """{"summary": "A large refactoring.", "key_changes": [], "findings": [], "confidence": 3}""";
        var files = Enumerable.Range(0, 3000).Select(File).ToList();
        github.AddPullRequest(Owner, Repo, 3, HeadSha, files);
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token, new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = model.BaseUrl.ToString(),
            ["LLM_CONTEXT_TOKENS"] = ContextTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LLM_OUTPUT_TOKENS"] = OutputTokens.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["LLM_MAX_CALLS"] = MaxCalls.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", Owner, Repo, 3, HeadSha, 4242), NectrApp.WebhookSecret), Ct);
        var review = await github.WaitForReviewAsync(Owner, Repo, 3, TimeSpan.FromSeconds(120));
        await app.WaitUntilAsync(db => db.Reviews.AnyAsync(Ct), TimeSpan.FromSeconds(30), "the review to be stored");

        Assert.InRange(model.Requests.Count, 1, MaxCalls);
        var sent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var request in model.Requests)
        {
            var input = O200kTokenCounter.Shared.Count(request.SystemText) + request.UserTexts.Sum(O200kTokenCounter.Shared.Count);
            Assert.True(input <= ContextTokens - OutputTokens, $"a call sent {input} tokens, over the budget of {ContextTokens - OutputTokens}");
            Assert.Equal(OutputTokens, (int?)request.Json["max_tokens"]);
            sent.UnionWith(files.Select(f => f.Filename).Where(string.Concat(request.UserTexts).Contains));
        }

        var stored = await app.QueryAsync(db => db.Reviews.AsNoTracking().SingleAsync(Ct));
        var notSent = stored.NotSentToModel.Select(n => n.Path).ToHashSet(StringComparer.Ordinal);
        var skipped = stored.SkippedFiles.Select(n => n.Path).ToHashSet(StringComparer.Ordinal);
        Assert.All(files, f => Assert.True(sent.Contains(f.Filename) || notSent.Contains(f.Filename) || skipped.Contains(f.Filename),
            $"{f.Filename} was neither sent to the model nor listed in coverage"));
        Assert.NotEmpty(notSent);
        Assert.Equal(3000, stored.ChangedFiles);
        Assert.Contains($"The model saw {3000 - skipped.Count - notSent.Count} of the {3000 - skipped.Count} reviewed files", review.Body, StringComparison.Ordinal);
        Assert.Contains("over the token budget", review.Body, StringComparison.Ordinal);
        Assert.True(review.Body.Length <= 65_536, $"the body has {review.Body.Length} characters; GitHub refuses more than 65,536");
        model.AssertNoUnexpectedCalls();
        github.AssertNoUnexpectedCalls();
    }

    /// <summary>Source, tests, docs and lock files in realistic proportions, each with one hunk of ~15 added lines.</summary>
    private static FakeFile File(int i)
    {
        var (path, line) = (i % 10) switch
        {
            0 => ($"services/svc{i}/package-lock.json", "  \"version\": \"1.0.{0}\","),
            1 or 2 => ($"services/svc{i}/test/handler{i}.test.ts", "  expect(handle({0})).toBe(true);"),
            3 => ($"docs/guide{i}.md", "Step {0}: configure the service."),
            _ => ($"services/svc{i}/src/handler{i}.ts", "  const value{0} = await repository.load(id, {{ retries: {0} }});"),
        };
        var patch = new StringBuilder("@@ -1,2 +1,17 @@\n export function handle(id) {\n");
        for (var n = 0; n < 15; n++)
        {
            patch.Append('+').AppendFormat(System.Globalization.CultureInfo.InvariantCulture, line, n).Append('\n');
        }

        patch.Append(" }");
        return new FakeFile(path, "modified", patch.ToString());
    }
}
