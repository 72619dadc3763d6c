using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary><c>nectr review</c> as a user runs it: the built program, a real git repository, no network, no LLM.</summary>
public sealed class CliReviewTests
{
    private const string AwsKey = "AKIAQ3WZ7XK2LMNP4RTV";
    private static readonly Dictionary<string, string> Offline = new() { ["LLM_PROVIDER"] = "none", ["APP_ENV"] = "test" };

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_local_branch_that_adds_a_secret_prints_the_findings_and_fails_on_high()
    {
        var repo = RepositoryWithLeakOnBranch();

        var failing = await NectrCli.RunAsync(["--repo", repo, "--base", "main", "--fail-on", "high"], Offline, Ct);
        var passing = await NectrCli.RunAsync(["--repo", repo, "--base", "main"], Offline, Ct);

        Assert.True(failing.ExitCode == 1, $"exit {failing.ExitCode}\n{failing.Stdout}\n{failing.Stderr}");
        Assert.Contains("`config/app.py:2`", failing.Stdout, StringComparison.Ordinal);
        Assert.Contains("Possible AWS access token committed", failing.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(AwsKey, failing.Stdout, StringComparison.Ordinal);
        Assert.Equal(0, passing.ExitCode);
        Assert.Equal(failing.Stdout, passing.Stdout);
    }

    [Fact]
    public async Task A_branch_with_only_low_findings_passes_fail_on_high()
    {
        var repo = RepositoryWithLeakOnBranch(leak: false);

        var run = await NectrCli.RunAsync(["--repo", repo, "--base", "main", "--fail-on", "high"], Offline, Ct);

        Assert.True(run.ExitCode == 0, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("No issues found", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Json_output_lists_each_finding_with_its_file_line_and_severity()
    {
        var repo = RepositoryWithLeakOnBranch();

        var run = await NectrCli.RunAsync(["--repo", repo, "--base", "main", "--format", "json"], Offline, Ct);

        Assert.Equal(0, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var finding = Assert.Single(json.RootElement.GetProperty("findings").EnumerateArray());
        Assert.Equal("config/app.py", finding.GetProperty("file").GetString());
        Assert.Equal(2, finding.GetProperty("line").GetInt32());
        Assert.Equal("critical", finding.GetProperty("severity").GetString());
        Assert.Equal("COMMENT", json.RootElement.GetProperty("event").GetString());
        Assert.Equal(1, json.RootElement.GetProperty("coverage").GetProperty("reviewed_files").GetInt32());
        Assert.DoesNotContain(AwsKey, run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_diff_on_standard_input_is_reviewed_and_a_lock_file_in_it_is_skipped()
    {
        const string diff = $$"""
            diff --git a/src/db.js b/src/db.js
            index 1111111..2222222 100644
            --- a/src/db.js
            +++ b/src/db.js
            @@ -1,2 +1,3 @@
             const db = connect();
            +const key = "{{AwsKey}}";
             module.exports = db;
            diff --git a/package-lock.json b/package-lock.json
            index 3333333..4444444 100644
            --- a/package-lock.json
            +++ b/package-lock.json
            @@ -1 +1 @@
            -{"lockfileVersion": 2}
            +{"lockfileVersion": 3}

            """;

        var run = await NectrCli.RunAsync(["--diff", "-"], Offline, Ct, stdin: diff);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("`src/db.js:2`", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Reviewed 1 of 2 files; skipped: `package-lock.json` (lock file)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("Reviewed without: repository context (offline review of a diff: no linked issues, history or memory).", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("This is a README, not a diff.\nIt has two lines.\n")]
    [InlineData("PK\u0003\u0004\u0000\u0000binary\u0000bytes")]
    public async Task Input_that_holds_no_diff_is_a_usage_error_not_a_clean_review(string input)
    {
        var run = await NectrCli.RunAsync(["--diff", "-"], Offline, Ct, stdin: input);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("Standard input holds no unified diff", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task An_empty_diff_is_an_empty_change_reviewed_cleanly()
    {
        var run = await NectrCli.RunAsync(["--diff", "-"], Offline, Ct, stdin: "");

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("Reviewed 0 of 0 files", run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Git_log_p_output_naming_a_file_twice_is_a_usage_error_that_says_what_to_run_instead()
    {
        var repo = RepositoryWithLeakOnBranch(leak: false);
        File.AppendAllText(Path.Combine(repo, "config", "app.py"), "RETRIES = 3\n");
        NectrCli.Git(repo, "commit", "-q", "-am", "Retry");
        var log = NectrCli.Git(repo, "log", "-p", "main..feature");

        var run = await NectrCli.RunAsync(["--diff", "-"], Offline, Ct, stdin: log);

        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}\n{run.Stdout}\n{run.Stderr}");
        Assert.Contains("names 'config/app.py' more than once", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("git diff BASE...HEAD", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Unhandled exception", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Without_a_model_a_clean_diff_is_not_called_approved()
    {
        var repo = RepositoryWithLeakOnBranch(leak: false);

        var run = await NectrCli.RunAsync(["--repo", repo, "--base", "main"], Offline, Ct);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("**Verdict: no findings from the built-in checks** — no model reviewed this change", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Verdict: approve", run.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--fail-on", "severe")]
    [InlineData("--format", "yaml")]
    [InlineData("--repo", ".")]
    [InlineData("--post")]
    public async Task A_usage_mistake_exits_2_and_says_what_is_wrong(params string[] args)
    {
        var run = await NectrCli.RunAsync(args, Offline, Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("Usage:\n  nectr review [<pull-request-url>] [options]", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData("--repo", ".")]
    [InlineData("--post")]
    [InlineData("--diff", "-", "--head", "HEAD")]
    public async Task A_usage_mistake_says_which_rule_it_breaks(params string[] args)
    {
        var run = await NectrCli.RunAsync(args, Offline, Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(args[0] switch
        {
            "--repo" => "--repo needs --base REF",
            "--post" => "Give exactly one of --diff FILE|-, --repo DIR --base REF, or a pull request URL.",
            _ => "--base and --head only go with --repo DIR.",
        }, run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Help_names_every_option_and_the_pull_request_argument()
    {
        var run = await NectrCli.RunAsync(["--help"], Offline, Ct);

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("nectr review [<pull-request-url>] [options]", run.Stdout, StringComparison.Ordinal);
        foreach (var option in new[] { "--diff <FILE|->", "--repo <DIR>", "--base <REF>", "--head <REF>", "--format <json|markdown>", "--fail-on <SEVERITY>", "--post", "--help" })
        {
            Assert.Contains(option, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task A_mistyped_option_is_refused_with_the_option_it_resembles()
    {
        var repo = RepositoryWithLeakOnBranch(leak: false);

        var run = await NectrCli.RunAsync(["--repo", repo, "--base", "main", "--fromat", "json"], Offline, Ct);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--fromat' was not matched. Did you mean one of the following?\n--format", run.Stderr, StringComparison.Ordinal);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Ctrl_c_cancels_a_review_waiting_on_the_model_and_exits_130()
    {
        await using var model = await FakeAnthropic.StartAsync();
        model.Enqueue([.. Enumerable.Range(0, 8).Select(_ => FakeLlmResponse.Stall())]); // never answers, however many calls the review makes
        var repo = RepositoryWithLeakOnBranch();
        var settings = new Dictionary<string, string>
        {
            ["APP_ENV"] = "test",
            ["LLM_PROVIDER"] = "anthropic",
            ["ANTHROPIC_API_KEY"] = model.ApiKey,
            ["ANTHROPIC_BASE_URL"] = model.BaseUrl.ToString(),
            ["LLM_TIMEOUT_SECONDS"] = "3600",
        };

        using var process = NectrCli.Start(["review", "--repo", repo, "--base", "main"], settings);
        var stdout = process.StandardOutput.ReadToEndAsync(Ct);
        var stderr = process.StandardError.ReadToEndAsync(Ct);
        process.StandardInput.Close();
        await model.WaitForRequestsAsync(1); // the review is running, waiting on the model
        NectrCli.Interrupt(process);
        await NectrCli.WaitForExitAsync(process, Ct);

        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{await stderr}");
        Assert.Equal("Review cancelled.", (await stderr).Trim());
        Assert.Empty(await stdout);
    }

    [Fact]
    public async Task A_pull_request_url_is_read_from_github_and_posted_once_with_post()
    {
        await using var github = await FakeGitHub.StartAsync();
        github.AddPullRequest("octo-org", "ledger", 12, "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
            [new FakeFile("app/settings.py", "modified", $"@@ -1,2 +1,3 @@\n DEBUG = False\n+AWS_ACCESS_KEY_ID = '{AwsKey}'\n ALLOWED_HOSTS = []")]);
        var settings = new Dictionary<string, string>(Offline)
        {
            ["GITHUB_API_URL"] = github.ApiUrl.ToString(),
            ["GITHUB_PAT"] = github.Token,
        };

        var first = await NectrCli.RunAsync(["https://github.com/octo-org/ledger/pull/12", "--post"], settings, Ct);
        var second = await NectrCli.RunAsync(["https://github.com/octo-org/ledger/pull/12", "--post"], settings, Ct);

        Assert.True(first.ExitCode == 0, first.Stderr);
        Assert.Equal(0, second.ExitCode);
        var review = Assert.Single(github.ReviewsOn("octo-org", "ledger", 12));
        Assert.Equal("COMMENT", review.Event);
        Assert.Equal(("app/settings.py", 2), (Assert.Single(review.Comments).Path, review.Comments[0].Line));
        Assert.Contains("Not posted: Nectr already reviewed", second.Stderr, StringComparison.Ordinal);
        Assert.Contains("Reviewed without: candidate issues, file history and project memory (no database: set DATABASE_URL to the server's database).", review.Body, StringComparison.Ordinal);
        github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task With_the_servers_database_a_pull_request_review_knows_related_past_work_and_open_conflicts(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        github.AddPullRequest("octo-org", "ledger", 12, "9f8e7d6c5b4a39281706f5e4d3c2b1a098765432",
            [new FakeFile("app/ledger.py", "modified", "@@ -1,2 +1,3 @@\n import db\n+import audit\n def post(entry):")]);
        var settings = new Dictionary<string, string>(Offline)
        {
            ["GITHUB_API_URL"] = github.ApiUrl.ToString(),
            ["GITHUB_PAT"] = github.Token,
            ["DATABASE_URL"] = database.Url,
        };
        var migrated = await NectrCli.RunCommandAsync(["migrate"], settings, Ct);
        Assert.True(migrated.ExitCode == 0, migrated.Stderr);
        await E2EDatabase.QueryAsync(database, async db =>
        {
            db.PullRequests.Add(new PullRequestRecord { RepositoryFullName = "octo-org/ledger", Number = 5, Title = "Ledger audit trail", AuthorLogin = "alice", State = "merged", HeadSha = new string('5', 40), LastVerdict = "request_changes", MergedAt = new DateTime(2026, 10, 1, 0, 0, 0, DateTimeKind.Utc) });
            db.PullRequests.Add(new PullRequestRecord { RepositoryFullName = "octo-org/ledger", Number = 9, Title = "Rework posting", AuthorLogin = "bob", State = "open", HeadSha = new string('9', 40) });
            await db.SaveChangesAsync(Ct);
            foreach (var pr in await db.PullRequests.ToListAsync(Ct))
            {
                db.PullRequestFiles.Add(new PullRequestFileRecord { PullRequestId = pr.Id, RepositoryFullName = "octo-org/ledger", Path = "app/ledger.py" });
            }

            return await db.SaveChangesAsync(Ct);
        });

        var run = await NectrCli.RunAsync(["https://github.com/octo-org/ledger/pull/12"], settings, Ct);

        Assert.True(run.ExitCode == 0, run.Stderr);
        Assert.Contains("### Related past work\n\n- #5 — Ledger audit trail (request changes; shared: `app/ledger.py`)", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("### May conflict with open PRs\n\n- #9 — Rework posting (shared: `app/ledger.py`)", run.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("Reviewed without", run.Stdout, StringComparison.Ordinal);
        Assert.Equal(2, await E2EDatabase.QueryAsync(database, db => db.PullRequests.CountAsync(Ct))); // read, never written
        github.AssertNoUnexpectedCalls();
    }

    private static string RepositoryWithLeakOnBranch(bool leak = true)
    {
        var dir = Directory.CreateTempSubdirectory("nectr-cli-repo-").FullName;
        NectrCli.Git(dir, "init", "-q");
        Directory.CreateDirectory(Path.Combine(dir, "config"));
        File.WriteAllText(Path.Combine(dir, "config", "app.py"), "DEBUG = False\n");
        NectrCli.Git(dir, "add", ".");
        NectrCli.Git(dir, "commit", "-q", "-m", "Initial");
        NectrCli.Git(dir, "checkout", "-q", "-b", "feature");
        File.AppendAllText(Path.Combine(dir, "config", "app.py"), leak ? $"AWS_ACCESS_KEY_ID = \"{AwsKey}\"\n" : "TIMEOUT = 30\n");
        NectrCli.Git(dir, "commit", "-q", "-am", "Configure the app");
        return dir;
    }
}
