using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Nectr.Data;
using Nectr.Engine.Review;
using Nectr.Llm;
using Nectr.Tests.Infrastructure;
using Nectr.Tools;

namespace Nectr.Tests.Tools;

/// <summary>
/// The tool loop of one question, as the AI stage runs it (the app's own <see cref="LlmClient"/> and
/// <see cref="ReviewTools"/> in a review's scope), against the fake GitHub and a fake model that calls tools: its
/// bounds (bytes per result, tool tokens, wall time, calls per turn), argument checks, each focus's tools, the
/// sources behind each tool, and the fallback when a server refuses tools.
/// </summary>
public sealed partial class ReviewToolLoopTests : IAsyncLifetime
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private const int Number = 50;
    private const string HeadSha = "c3d4e5f60718293a4b5c6d7e8f9012345678a1b2";
    private const string Nonce = "n0nce5eed1234abcd";
    private const string AnswerText = """{"summary": "Fine.", "key_changes": [], "findings": [], "confidence": 4}""";

    private readonly List<IAsyncDisposable> _owned = [];
    private FakeGitHub _github = null!;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static TheoryData<string> Providers => new() { "anthropic", "openai" };

    public async ValueTask InitializeAsync() => _github = await FakeGitHub.StartAsync();

    public async ValueTask DisposeAsync()
    {
        foreach (var owned in Enumerable.Reverse(_owned))
        {
            await owned.DisposeAsync();
        }

        await _github.DisposeAsync();
    }

    [Fact]
    public async Task A_long_file_is_cut_to_REVIEW_TOOL_RESULT_BYTES_on_a_line_boundary_and_says_where_to_read_on()
    {
        var review = await StartAsync("anthropic", ("REVIEW_TOOL_RESULT_BYTES", "1024"));
        _github.AddFile(Owner, Repo, "src/big.py", string.Concat(Enumerable.Range(1, 300).Select(i => $"total_{i} = ledger.sum(accounts[{i}])  # é\n")), HeadSha);
        review.Llm.Enqueue(FakeLlmResponse.ToolCalls(("read_file", """{"path": "src/big.py"}""")), FakeLlmResponse.Answer(AnswerText));

        await review.AskAsync(QuestionFocus.General);

        var text = Inner(Assert.Single(review.Llm.Requests[1].ToolResults).Text);
        Assert.True(Encoding.UTF8.GetByteCount(text) <= 1024, $"{Encoding.UTF8.GetByteCount(text)} bytes");
        var cut = Regex.Match(text, @"\(cut at 1024 bytes after line (?<last>\d+); call read_file with start_line=(?<next>\d+) to read on\)\n$");
        Assert.True(cut.Success, text);
        var last = int.Parse(cut.Groups["last"].Value, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(last + 1, int.Parse(cut.Groups["next"].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"{last,6} | total_{last} = ledger.sum(accounts[{last}])  # é\n", text, StringComparison.Ordinal);
        Assert.StartsWith("src/big.py at c3d4e5f60718, lines 1-300 of 300:\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_result_beyond_the_tool_token_budget_is_left_out_and_the_model_is_told_to_ask_for_less()
    {
        var review = await StartAsync("openai", ("REVIEW_TOOL_TOKENS", "1000"));
        _github.AddFile(Owner, Repo, "src/small.py", "x = 1\n", HeadSha);
        _github.AddFile(Owner, Repo, "src/big.py", string.Concat(Enumerable.Range(1, 400).Select(i => $"value_{i} = compute({i}, {i * 7})\n")), HeadSha);
        review.Llm.Enqueue(
            FakeLlmResponse.ToolCalls(("read_file", """{"path": "src/small.py"}"""), ("read_file", """{"path": "src/big.py"}""")),
            FakeLlmResponse.Answer(AnswerText));

        await review.AskAsync(QuestionFocus.General);

        var results = review.Llm.Requests[1].ToolResults.Select(r => Inner(r.Text)).ToList();
        Assert.Contains("     1 | x = 1\n", results[0], StringComparison.Ordinal);
        Assert.Matches(@"^error: left out; this result \(\d+ tokens\) does not fit in what is left of the review's token budget for tools \(\d+ tokens\); ask for less, e\.g\. a line range\n$", results[1]);
    }

    [Fact]
    public async Task When_the_tool_results_use_the_token_budget_the_model_is_asked_for_its_answer_without_tools()
    {
        var review = await StartAsync("anthropic", ("REVIEW_TOOL_TOKENS", "1000"));
        // About 930 tokens once fenced: it fits, and leaves less than a result is worth.
        _github.AddIssue(Owner, Repo, new FakeIssue(5, "Totals drift", string.Concat(Enumerable.Repeat(" alpha", 900))));
        review.Llm.ScriptedResponder = r => r.ToolChoice == "none" ? FakeLlmResponse.Answer(AnswerText) : FakeLlmResponse.ToolCalls(("get_issue", """{"number": 5}"""));

        var reply = await review.AskAsync(QuestionFocus.General);

        Assert.Equal(["auto", "none"], review.Llm.Requests.Select(r => r.ToolChoice));
        Assert.Contains("No more tool calls: the tool results have used this review's token budget for tools.", review.Llm.Requests[1].UserTexts[^1], StringComparison.Ordinal);
        Assert.Equal(2, reply.Calls);
    }

    [Fact]
    public async Task A_prompt_that_leaves_no_room_in_the_context_window_gets_no_tools()
    {
        var review = await StartAsync("anthropic", ("LLM_CONTEXT_TOKENS", "4096"), ("LLM_OUTPUT_TOKENS", "2048"));
        review.Llm.EnqueueAnswer(AnswerText);

        await review.AskAsync(QuestionFocus.General, user: string.Concat(Enumerable.Repeat(" ledger", 1700)));

        Assert.Empty(Assert.Single(review.Llm.Requests).ToolNames);
    }

    [Fact]
    public async Task When_the_wall_time_is_up_the_calls_are_not_run_and_the_model_is_asked_for_its_answer()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var review = await StartAsync("anthropic", clock, ("REVIEW_TOOL_SECONDS", "1"), ("LLM_TIMEOUT_SECONDS", "3600"));
        review.Llm.ScriptedResponder = r =>
        {
            if (r.ToolChoice == "none")
            {
                return FakeLlmResponse.Answer(AnswerText);
            }

            clock.Advance(TimeSpan.FromSeconds(5)); // the model took its time
            return FakeLlmResponse.ToolCalls(("read_file", """{"path": "src/a.py"}"""));
        };

        var reply = await review.AskAsync(QuestionFocus.General);

        Assert.Equal(["auto", "none"], review.Llm.Requests.Select(r => r.ToolChoice));
        Assert.Equal("error: not run; the time for tool calls is up\n", Inner(Assert.Single(review.Llm.Requests[1].ToolResults).Text));
        Assert.Contains("No more tool calls: the time for tool calls is up.", review.Llm.Requests[1].UserTexts[^1], StringComparison.Ordinal);
        Assert.DoesNotContain(_github.Requests, r => r.Path.Contains("/contents/", StringComparison.Ordinal));
        Assert.Equal(2, reply.Calls);
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task Unknown_tools_and_bad_arguments_get_error_results_and_reach_nothing(string provider)
    {
        var review = await StartAsync(provider);
        review.Llm.Enqueue(FakeLlmResponse.ToolCalls(
            ("delete_branch", """{"branch": "main"}"""),
            ("read_file", """{"path": "../../etc/passwd"}"""),
            ("read_file", """{"path": "/etc/passwd"}"""),
            ("read_file", """{"path": "src/a.py", "start_line": "first"}"""),
            ("read_file", """{"path": "src/a.py", "mode": "w"}"""),
            ("get_issue", """{"number": 0}"""),
            ("read_file", """{"path": "src/missing.py"}"""),
            ("get_issue", """{"number": 999}""")), FakeLlmResponse.Answer(AnswerText));

        await review.AskAsync(QuestionFocus.General);

        Assert.Equal([
            "error: there is no tool named 'delete_branch'; the tools are read_file, get_file_history, get_issue, search_issues, search_memory\n",
            "error: 'path' must be a file path inside the repository, relative to its root (e.g. src/app.py), without '.', '..' or a leading '/'\n",
            "error: 'path' must be a file path inside the repository, relative to its root (e.g. src/app.py), without '.', '..' or a leading '/'\n",
            "error: 'start_line' must be a whole number\n",
            "error: unknown argument 'mode'; this tool takes path, start_line, end_line\n",
            "error: 'number' must be a whole number from 1 to 2147483647\n",
            $"error: there is no file 'src/missing.py' at the head commit c3d4e5f60718 (a directory, or a path that does not exist)\n",
            $"error: {Owner}/{Repo} has no issue #999\n",
        ], review.Llm.Requests[1].ToolResults.Select(r => Inner(r.Text)));
        // Only the two well-formed reads reached GitHub, and only as reads.
        Assert.Equal([$"GET /repos/{Owner}/{Repo}/contents/src/missing.py?ref={HeadSha}", $"GET /repos/{Owner}/{Repo}/issues/999"],
            _github.Requests.Select(r => $"{r.Method} {r.PathAndQuery}"));
    }

    [Fact]
    public async Task At_most_eight_calls_of_one_turn_are_run()
    {
        var review = await StartAsync("openai");
        _github.AddIssue(Owner, Repo, new FakeIssue(1, "One"));
        review.Llm.Enqueue(
            FakeLlmResponse.ToolCalls([.. Enumerable.Range(1, 9).Select(_ => ("get_issue", """{"number": 1}"""))]),
            FakeLlmResponse.Answer(AnswerText));

        await review.AskAsync(QuestionFocus.General);

        var results = review.Llm.Requests[1].ToolResults.Select(r => Inner(r.Text)).ToList();
        Assert.Equal(9, results.Count);
        Assert.All(results.Take(8), r => Assert.StartsWith("Issue #1 (open): One", r, StringComparison.Ordinal));
        Assert.Equal("error: not run; at most 8 tool calls are run per turn\n", results[8]);
        Assert.Equal(8, _github.Requests.Count);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Each_tool_reads_its_source_for_this_repository_only(string database)
    {
        var review = await StartAsync("anthropic", database: database);
        _github.AddIssue(Owner, Repo, new FakeIssue(7, "Rounding of ledger totals", "Totals drift by a cent when rounding."));
        _github.AddIssue(Owner, Repo, new FakeIssue(8, "Dark mode", "Add a dark theme."));
        _github.AddIssue(Owner, Repo, new FakeIssue(9, "Rounding in a pull request", IsPullRequest: true));
        await review.SeedAsync(async db =>
        {
            var older = new PullRequestRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = 31, Title = "Round totals half-even", AuthorLogin = "alice", State = "merged", MergedAt = new DateTime(2026, 3, 1, 0, 0, 0, DateTimeKind.Utc), HeadSha = "a1", LastVerdict = "request_changes", UpdatedAtMs = 1_000 };
            var newer = new PullRequestRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = 32, Title = "Cache totals", AuthorLogin = "bob", State = "closed", HeadSha = "b2", UpdatedAtMs = 2_000 };
            var self = new PullRequestRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = Number, Title = "This one", AuthorLogin = "carol", State = "open", HeadSha = HeadSha, UpdatedAtMs = 3_000 };
            var elsewhere = new PullRequestRecord { RepositoryFullName = "other/repo", Number = 33, Title = "Other repository", AuthorLogin = "eve", State = "merged", HeadSha = "c3", UpdatedAtMs = 4_000 };
            db.PullRequests.AddRange(older, newer, self, elsewhere);
            await db.SaveChangesAsync(Ct);
            db.PullRequestFiles.AddRange(
                new PullRequestFileRecord { PullRequestId = older.Id, RepositoryFullName = $"{Owner}/{Repo}", Path = "src/totals.py" },
                new PullRequestFileRecord { PullRequestId = newer.Id, RepositoryFullName = $"{Owner}/{Repo}", Path = "src/totals.py" },
                new PullRequestFileRecord { PullRequestId = self.Id, RepositoryFullName = $"{Owner}/{Repo}", Path = "src/totals.py" },
                new PullRequestFileRecord { PullRequestId = elsewhere.Id, RepositoryFullName = "other/repo", Path = "src/totals.py" });
            // search_issues ranks the issue index (filled by deliveries and the backfill); get_issue reads GitHub.
            db.Issues.AddRange(
                new IssueRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = 7, Title = "Rounding of ledger totals", Body = "Totals drift by a cent when rounding.", State = "open", Labels = "", AuthorLogin = "alice", UpdatedAtMs = 1_000 },
                new IssueRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = 8, Title = "Dark mode", Body = "Add a dark theme.", State = "open", Labels = "", AuthorLogin = "bob", UpdatedAtMs = 2_000 },
                new IssueRecord { RepositoryFullName = $"{Owner}/{Repo}", Number = 10, Title = "Rounding, closed long ago", Body = "", State = "closed", Labels = "", AuthorLogin = "bob", UpdatedAtMs = 3_000 },
                new IssueRecord { RepositoryFullName = "other/repo", Number = 7, Title = "Rounding elsewhere", Body = "", State = "open", Labels = "", AuthorLogin = "eve", UpdatedAtMs = 4_000 });
            var at = DateTime.UtcNow;
            db.Memories.AddRange(
                new MemoryRecord { RepositoryFullName = $"{Owner}/{Repo}", Type = "project_rule", Content = "Money rounding is half-even, never half-up.", CreatedAt = at, UpdatedAt = at },
                new MemoryRecord { RepositoryFullName = $"{Owner}/{Repo}", Type = "developer_pattern", Content = "Often forgets rounding in tests.", Developer = "alice", CreatedAt = at, UpdatedAt = at },
                new MemoryRecord { RepositoryFullName = $"{Owner}/{Repo}", Type = "decision", Content = "We chose PostgreSQL.", CreatedAt = at, UpdatedAt = at },
                new MemoryRecord { RepositoryFullName = "other/repo", Type = "project_rule", Content = "Rounding is someone else's business.", CreatedAt = at, UpdatedAt = at });
            await db.SaveChangesAsync(Ct);
        });
        review.Llm.Enqueue(FakeLlmResponse.ToolCalls(
            ("get_issue", """{"number": 7}"""),
            ("search_issues", """{"query": "rounding totals"}"""),
            ("get_file_history", """{"path": "src/totals.py"}"""),
            ("search_memory", """{"query": "rounding"}"""),
            ("search_memory", """{"query": "rounding", "developer": "alice"}"""),
            ("search_issues", """{"query": "the and"}""")), FakeLlmResponse.Answer(AnswerText));

        await review.AskAsync(QuestionFocus.General);

        Assert.Equal([
            "Issue #7 (open): Rounding of ledger totals\n\nTotals drift by a cent when rounding.\n",
            "Open issues that match, best first:\n- #7 Rounding of ledger totals\n",
            "Recent pull requests that changed 'src/totals.py', newest first:\n" +
                "- #32 Cache totals (by bob; closed; Nectr's verdict: none)\n" +
                "- #31 Round totals half-even (by alice; merged 2026-03-01; Nectr's verdict: request_changes)\n",
            "Project memories that match, best first:\n- [developer_pattern, about alice] Often forgets rounding in tests.\n- [project_rule] Money rounding is half-even, never half-up.\n",
            "Project memories that match, best first:\n- [developer_pattern, about alice] Often forgets rounding in tests.\n",
            "error: 'query' has no word to search for (words of three letters or more, not 'the', 'and', …)\n",
        ], review.Llm.Requests[1].ToolResults.Select(r => Inner(r.Text)));
    }

    [Fact]
    public async Task Each_specialist_is_offered_only_its_tools_and_the_synthesis_none()
    {
        var review = await StartAsync("anthropic");
        review.Llm.ScriptedResponder = r => r.ToolResults.Count == 0 && r.ToolNames.Count > 0
            ? FakeLlmResponse.ToolCalls(("search_memory", """{"query": "rounding"}"""))
            : FakeLlmResponse.Answer(AnswerText);

        foreach (var focus in new[] { QuestionFocus.Security, QuestionFocus.Performance, QuestionFocus.Style, QuestionFocus.Synthesis })
        {
            await review.AskAsync(focus);
        }

        var offered = review.Llm.Requests.Where(r => r.ToolResults.Count == 0).Select(r => string.Join(",", r.ToolNames)).ToList();
        Assert.Equal(["read_file,get_file_history", "read_file", "read_file,search_memory", ""], offered);
        var results = review.Llm.Requests.Where(r => r.ToolResults.Count > 0).Select(r => Inner(Assert.Single(r.ToolResults).Text)).ToList();
        Assert.Equal("error: there is no tool named 'search_memory'; the tools are read_file, get_file_history\n", results[0]);
        Assert.Equal("error: there is no tool named 'search_memory'; the tools are read_file\n", results[1]);
        Assert.Equal("No project memory matches those words.", results[2].TrimEnd('\n'));
        Assert.Equal(7, review.Llm.Requests.Count); // two per specialist, one for the synthesis
    }

    [Theory]
    [MemberData(nameof(Providers))]
    public async Task A_refusal_of_tools_is_remembered_for_the_rest_of_the_review_and_only_that_review(string provider)
    {
        var review = await StartAsync(provider);
        review.Llm.Enqueue(
            FakeLlmResponse.Error(400, "invalid_request_error", "\"auto\" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set"),
            FakeLlmResponse.Answer(AnswerText),
            FakeLlmResponse.Answer(AnswerText),
            FakeLlmResponse.Answer(AnswerText));

        var first = await review.AskAsync(QuestionFocus.General);
        await review.AskAsync(QuestionFocus.General);
        await review.NextReview().AskAsync(QuestionFocus.General);

        Assert.Equal([5, 0, 0, 5], review.Llm.Requests.Select(r => r.ToolNames.Count));
        Assert.Equal((1, 2), (first.Calls, first.Attempts)); // the refused request was not a paid call
    }

    [Fact]
    public async Task A_request_the_provider_refuses_after_tool_rounds_falls_back_to_the_single_question_with_the_rounds_counted()
    {
        var review = await StartAsync("anthropic");
        _github.AddFile(Owner, Repo, "src/a.py", "x = 1\n", HeadSha);
        review.Llm.Enqueue(
            FakeLlmResponse.ToolCalls(("read_file", """{"path": "src/a.py"}""")),
            FakeLlmResponse.Error(400, "invalid_request_error", "prompt is too long: 210000 tokens > 200000 maximum"),
            FakeLlmResponse.Answer(AnswerText, inputTokens: 100, outputTokens: 10));

        var reply = await review.AskAsync(QuestionFocus.General);

        Assert.Equal([5, 5, 0], review.Llm.Requests.Select(r => r.ToolNames.Count));
        Assert.Empty(review.Llm.Requests[2].ToolResults);
        Assert.Equal(2, reply.Calls); // the paid tool round and the single question; the refusal cost nothing
        Assert.True(reply.InputTokens > 100, "the tool round's tokens are counted");
        Assert.Contains("Fine.", reply.Text, StringComparison.Ordinal);
    }

    /// <summary>The inside of one untrusted-data block with the test's nonce.</summary>
    private static string Inner(string block)
    {
        var match = Regex.Match(block, $"^<untrusted-data kind=\"tool-result\" id=\"{Nonce}\">\\n(?<text>.*)</untrusted-data id=\"{Nonce}\">$", RegexOptions.Singleline);
        Assert.True(match.Success, "not one tool-result block: " + block);
        return match.Groups["text"].Value;
    }

    private async Task<Review> StartAsync(string provider, params (string Key, string Value)[] settings) =>
        await StartAsync(provider, null, "sqlite", settings);

    private async Task<Review> StartAsync(string provider, FakeTimeProvider? clock, params (string Key, string Value)[] settings) =>
        await StartAsync(provider, clock, "sqlite", settings);

    private async Task<Review> StartAsync(string provider, string database) => await StartAsync(provider, null, database, []);

    private async Task<Review> StartAsync(string provider, FakeTimeProvider? clock, string database, (string Key, string Value)[] settings)
    {
        FakeLlmServer llm = provider == "anthropic" ? await FakeAnthropic.StartAsync() : await FakeOpenAI.StartAsync();
        _owned.Add(llm);
        var db = await TestDatabase.CreateAsync(database);
        _owned.Add(db);
        var prefix = provider == "anthropic" ? "ANTHROPIC" : "OPENAI";
        var values = new Dictionary<string, string?>
        {
            ["LLM_PROVIDER"] = provider,
            [$"{prefix}_API_KEY"] = llm.ApiKey,
            [$"{prefix}_BASE_URL"] = llm.BaseUrl.ToString(),
            ["LLM_RETRY_BASE_SECONDS"] = "0.05",
            ["REVIEW_CONCURRENCY"] = "0",
        };
        foreach (var (key, value) in settings)
        {
            values[key] = value;
        }

        var app = new NectrApp(db, _github.ApiUrl, _github.Token, values) { Clock = clock };
        _owned.Add(app);
        app.CreateClient().Dispose();
        return new Review(app, llm, _owned);
    }

    /// <summary>One review's scope of the app: its LLM client and toolbox, as the AI stage gets them.</summary>
    private sealed class Review
    {
        private readonly NectrApp _app;
        private readonly List<IAsyncDisposable> _owned;
        private readonly LlmClient _client;
        private readonly ReviewToolbox _toolbox;

        public Review(NectrApp app, FakeLlmServer llm, List<IAsyncDisposable> owned)
        {
            (_app, Llm, _owned) = (app, llm, owned);
            var scope = app.Services.CreateAsyncScope();
            owned.Add(scope);
            _client = scope.ServiceProvider.GetRequiredService<LlmClient>();
            _toolbox = scope.ServiceProvider.GetRequiredService<ReviewTools>().For(
                new ReviewRequest(Owner, Repo, Number, "Ledger totals", HeadSha, 0, [], 0, ReviewSettings.Default))!;
        }

        public FakeLlmServer Llm { get; }

        public Review NextReview() => new(_app, Llm, _owned);

        public Task<LlmReply> AskAsync(QuestionFocus focus, string user = "Review this change.") =>
            _client.CompleteWithToolsAsync(new LlmCall("You review code.", [LlmMessage.User(user)], 1024), _toolbox, new QuestionScope(focus, Nonce), Ct);

        public async Task SeedAsync(Func<NectrDb, Task> seed)
        {
            await using var db = await _app.Services.GetRequiredService<IDbContextFactory<NectrDb>>().CreateDbContextAsync(Ct);
            await seed(db);
        }
    }
}
