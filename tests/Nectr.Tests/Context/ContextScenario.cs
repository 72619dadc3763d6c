using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;
using Nectr.Tests.Webhooks;

namespace Nectr.Tests.Context;

/// <summary>
/// One repository with history, for the end-to-end context tests: the real app on a database of the given provider,
/// the fake GitHub, and a fake Anthropic model that records every prompt and answers each with one finding (and,
/// when the prompt lists candidate issues, the claims <see cref="Resolves"/> gives).
/// </summary>
internal sealed class ContextScenario : IAsyncDisposable
{
    public const string Owner = "octo-org";
    public const string Repo = "payments";
    public const string FullName = "octo-org/payments";
    public const long RepoId = 987654;

    private ContextScenario(FakeGitHub github, TestDatabase database, FakeAnthropic llm)
    {
        GitHub = github;
        Database = database;
        Llm = llm;
    }

    public FakeGitHub GitHub { get; }

    public TestDatabase Database { get; }

    public FakeAnthropic Llm { get; }

    public NectrApp App { get; private set; } = null!;

    /// <summary>The <c>resolves</c> part of the model's answers, as JSON (an array); empty by default.</summary>
    public string Resolves { get; set; } = "[]";

    private readonly Dictionary<int, string> _titles = [];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static Task<ContextScenario> StartAsync(string provider, params (string Key, string Value)[] settings) =>
        StartAsync(provider, null, settings);

    /// <summary>The scenario with the app's logs also sent to <paramref name="logs"/>.</summary>
    public static async Task<ContextScenario> StartAsync(string provider, Microsoft.Extensions.Logging.ILoggerProvider? logs, params (string Key, string Value)[] settings)
    {
        var scenario = new ContextScenario(await FakeGitHub.StartAsync(), await TestDatabase.CreateAsync(provider), await FakeAnthropic.StartAsync());
        scenario.Llm.Responder = _ =>
            $$"""{"summary": "Looks reasonable.", "key_changes": ["Refund rules"], "findings": [], "confidence": 4, "resolves": {{scenario.Resolves}}}""";
        var all = new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = scenario.Llm.ApiKey,
            ["ANTHROPIC_BASE_URL"] = scenario.Llm.BaseUrl.ToString(),
            ["ANTHROPIC_MODEL"] = "claude-sonnet-4-5",
            ["LLM_RETRY_BASE_SECONDS"] = "0.05",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        scenario.App = new NectrApp(scenario.Database, scenario.GitHub.ApiUrl, scenario.GitHub.Token, all, logs);
        return scenario;
    }

    /// <summary>Opens a pull request by <paramref name="author"/> and waits for Nectr's review of it; returns the review and the prompt the model got.</summary>
    public async Task<(PostedReview Review, RecordedLlmRequest Prompt)> ReviewAsync(int number, string author, IReadOnlyList<FakeFile> files, string title, string? body = null)
    {
        var sha = Sha(number);
        var pr = GitHub.AddPullRequest(Owner, Repo, number, sha, files, title: title);
        pr.Author = author;
        pr.Body = body ?? "";
        _titles[number] = title;
        var before = Llm.Requests.Count;
        await DeliverAsync("pull_request.opened.json", number, sha, author, pr.Title, pr.Body);
        var review = await GitHub.WaitForReviewAsync(Owner, Repo, number, TimeSpan.FromSeconds(60));
        await App.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.PullNumber == number && j.Status == JobStatus.Done, Ct), what: $"the review job of #{number}");
        // The review's question comes first; the memory extraction asks after the review is posted.
        return (review, Llm.Requests.Skip(before).First());
    }

    /// <summary>Closes (and merges) a pull request, as GitHub's delivery says.</summary>
    public async Task MergeAsync(int number, string author)
    {
        var pr = GitHub.AddPullRequest(Owner, Repo, number, Sha(number), [], state: "closed", title: _titles[number]);
        pr.Author = author;
        await DeliverAsync("pull_request.closed.json", number, Sha(number), author, pr.Title, null, merged: true);
    }

    public async Task DeliverAsync(string fixture, int number, string sha, string author, string title, string? body, bool merged = false)
    {
        var payload = WebhookTestKit.Edit(PullRequestPayload.From(fixture, Owner, Repo, number, sha, RepoId), root =>
        {
            var pr = root["pull_request"]!.AsObject();
            pr["user"]!["login"] = author;
            pr["title"] = title;
            pr["body"] = body;
            pr["updated_at"] = DateTimeOffset.UtcNow.AddMinutes(number).ToString("yyyy-MM-ddTHH:mm:ssZ", System.Globalization.CultureInfo.InvariantCulture);
            if (merged)
            {
                pr["merged"] = true;
                pr["merged_at"] = pr["updated_at"]!.GetValue<string>();
            }
        });
        using var client = App.CreateClient();
        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", payload, NectrApp.WebhookSecret), Ct);
        Assert.True(response.IsSuccessStatusCode, $"The delivery was refused: {(int)response.StatusCode}");
    }

    public static string Sha(int number) => number.ToString("x", System.Globalization.CultureInfo.InvariantCulture).PadLeft(40, 'c');

    /// <summary>The text of the untrusted block of <paramref name="kind"/> in a prompt, or null.</summary>
    public static string? Block(RecordedLlmRequest request, string kind)
    {
        var user = string.Concat(request.UserTexts);
        var start = user.IndexOf($"<untrusted-data kind=\"{kind}\"", StringComparison.Ordinal);
        if (start < 0)
        {
            return null;
        }

        var end = user.IndexOf("</untrusted-data", start, StringComparison.Ordinal);
        return user[start..end];
    }

    public async ValueTask DisposeAsync()
    {
        await App.DisposeAsync();
        await Llm.DisposeAsync();
        await Database.DisposeAsync();
        await GitHub.DisposeAsync();
    }
}
