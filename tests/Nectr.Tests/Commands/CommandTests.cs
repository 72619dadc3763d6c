using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Commands;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Commands;

/// <summary>
/// PR comment commands through the front door: GitHub's own issue_comment and pull_request_review_comment payloads
/// signed into the real app, the worker carrying them out against the fake GitHub (permission API, reactions, replies).
/// </summary>
public sealed class CommandTests : IAsyncDisposable
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const string ShaA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ShaB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    private const string ShaC = "cccccccccccccccccccccccccccccccccccccccc";

    private static readonly FakeFile Readme = new("README.md", "modified", "@@ -1,2 +1,3 @@\n # Payments\n+More words.\n Text.");

    private FakeGitHub _github = null!;
    private TestDatabase _database = null!;
    private NectrApp _app = null!;
    private HttpClient _client = null!;
    private long _nextCommentId = 7_000_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task StartAsync(string provider = "sqlite", string? handle = null)
    {
        _github = await FakeGitHub.StartAsync();
        _database = await TestDatabase.CreateAsync(provider);
        _app = new NectrApp(_database, _github.ApiUrl, _github.Token, handle is null ? null : new Dictionary<string, string?> { ["COMMAND_HANDLE"] = handle });
        _client = _app.CreateClient();
    }

    public async ValueTask DisposeAsync()
    {
        _client?.Dispose();
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        if (_database is not null)
        {
            await _database.DisposeAsync();
        }

        if (_github is not null)
        {
            await _github.DisposeAsync();
        }
    }

    /// <summary>Posts a PR conversation comment as <paramref name="login"/>; returns its comment id and delivery id.</summary>
    private async Task<(long CommentId, string DeliveryId)> CommentAsync(int number, string body, string login, string type = "User", string fixture = "issue_comment.created.json", bool onIssue = false)
    {
        var id = ++_nextCommentId;
        var delivery = Guid.NewGuid().ToString();
        using var response = await _client.SendAsync(SignedDelivery.Create("issue_comment",
            CommentPayload.OnPullRequest(Owner, Repo, RepoId, number, id, body, login, type, fixture, onIssue), NectrApp.WebhookSecret, delivery), Ct);
        Assert.True(response.IsSuccessStatusCode, $"{response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
        return (id, delivery);
    }

    private async Task<(long CommentId, string DeliveryId)> InlineCommentAsync(int number, string body, string login, long? inReplyTo)
    {
        var id = ++_nextCommentId;
        var delivery = Guid.NewGuid().ToString();
        using var response = await _client.SendAsync(SignedDelivery.Create("pull_request_review_comment",
            CommentPayload.Inline(Owner, Repo, RepoId, number, ShaA, id, body, login, inReplyTo), NectrApp.WebhookSecret, delivery), Ct);
        Assert.True(response.IsSuccessStatusCode);
        return (id, delivery);
    }

    private async Task PushAsync(int number, string sha, string fixture = "pull_request.synchronize.json")
    {
        _github.AddPullRequest(Owner, Repo, number, sha, [Readme]);
        using var response = await _client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From(fixture, Owner, Repo, number, sha, RepoId), NectrApp.WebhookSecret), Ct);
        Assert.True(response.IsSuccessStatusCode);
    }

    /// <summary>The delivery once it has its outcome.</summary>
    private async Task<DeliveryRecord> SettledAsync(string deliveryId)
    {
        await _app.WaitUntilAsync(db => db.Deliveries.AnyAsync(d => d.DeliveryId == deliveryId && d.Outcome != DeliveryOutcome.Pending, Ct), what: $"delivery {deliveryId} settled");
        return await _app.QueryAsync(db => db.Deliveries.Include(d => d.Job).AsNoTracking().SingleAsync(d => d.DeliveryId == deliveryId, Ct));
    }

    private Task WaitIdleAsync() =>
        _app.WaitUntilAsync(async db => !await db.ReviewJobs.AnyAsync(j => j.Status == JobStatus.Queued || j.Status == JobStatus.Running, Ct), what: "no job queued or running");

    private IReadOnlyList<string> ReactionsOn(long commentId) => [.. _github.Reactions.Where(r => r.CommentId == commentId).Select(r => r.Content)];

    /// <summary>What Nectr wrote on the PR, in the conversation (<c>ReplyTo</c> null) and in inline threads.</summary>
    private IReadOnlyList<(string Body, long? ReplyTo)> NectrComments(int number) =>
        [.. _github.CommentsOn(Owner, Repo, number).Where(c => c.Login == _github.ServiceLogin).Select(c => (c.Body, (long?)null)),
         .. _github.InlineCommentsOn(Owner, Repo, number).Where(c => c.Login == _github.ServiceLogin && c.ReplyTo is not null).Select(c => (c.Body, c.ReplyTo))];

    [Fact]
    public async Task Admin_maintain_and_write_users_are_obeyed_and_read_triage_and_unknown_users_are_ignored_without_a_reaction_or_reply()
    {
        await StartAsync();
        _github.AddPullRequest(Owner, Repo, 3, ShaA, [Readme]);
        string[] obeyed = ["ada", "max", "wes"];
        _github.SetPermission(Owner, Repo, "ada", "admin");
        _github.SetPermission(Owner, Repo, "max", "maintain");
        _github.SetPermission(Owner, Repo, "wes", "write");
        _github.SetPermission(Owner, Repo, "rita", "read");
        _github.SetPermission(Owner, Repo, "tom", "triage");

        var comments = new Dictionary<string, (long CommentId, string DeliveryId)>();
        foreach (var login in (string[])["ada", "max", "wes", "rita", "tom", "stranger"])
        {
            comments[login] = await CommentAsync(3, "@nectr help", login);
        }

        foreach (var (login, (commentId, deliveryId)) in comments)
        {
            var delivery = await SettledAsync(deliveryId);
            Assert.Equal(DeliveryOutcome.Skipped, delivery.Outcome);
            Assert.Equal(JobKind.Command, delivery.Job!.Kind);
            Assert.Equal("command:" + deliveryId, delivery.Job.HeadSha);
            Assert.Equal(3, delivery.PullNumber);
            if (obeyed.Contains(login))
            {
                Assert.Equal(JobStatus.Done, delivery.Job.Status);
                Assert.Equal("@nectr help by " + login + ": answered with the list of commands", delivery.OutcomeReason);
                Assert.Equal(["eyes", "rocket"], ReactionsOn(commentId));
            }
            else
            {
                Assert.Equal(JobStatus.Skipped, delivery.Job.Status);
                Assert.Contains($"ignored: {login} has", delivery.OutcomeReason, StringComparison.Ordinal);
                Assert.Contains("commands need write access", delivery.OutcomeReason, StringComparison.Ordinal);
                Assert.Empty(ReactionsOn(commentId));
            }
        }

        Assert.Equal(3, NectrComments(3).Count);
        Assert.Contains("rita has read access", (await SettledAsync(comments["rita"].DeliveryId)).OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("tom has triage access", (await SettledAsync(comments["tom"].DeliveryId)).OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("stranger has no access", (await SettledAsync(comments["stranger"].DeliveryId)).OutcomeReason, StringComparison.Ordinal);
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Bots_and_Nectr_itself_are_never_obeyed_so_its_own_comment_saying_review_does_not_loop()
    {
        await StartAsync();
        _github.AddPullRequest(Owner, Repo, 4, ShaA, [Readme]);
        _github.SetPermission(Owner, Repo, "wes", "write");
        _github.SetPermission(Owner, Repo, _github.ServiceLogin, "admin");
        _github.SetPermission(Owner, Repo, "dependabot[bot]", "write");

        // A person asks for help; Nectr's answer lists the commands, and that answer comes back to Nectr as a webhook.
        var (helpId, helpDelivery) = await CommentAsync(4, "@nectr help", "wes");
        await SettledAsync(helpDelivery);
        var reply = Assert.Single(NectrComments(4)).Body;
        Assert.Null(CommandParser.Parse(reply, "nectr"));

        var own = await CommentAsync(4, reply, _github.ServiceLogin);
        var ownSaysReview = await CommentAsync(4, "@nectr review", _github.ServiceLogin);
        var bot = await CommentAsync(4, "@nectr review", "dependabot[bot]", type: "Bot");
        var botLogin = await CommentAsync(4, "@nectr full review", "renovate[bot]");
        var quoted = await CommentAsync(4, "@nectr review\n\n<!-- nectr:reply comment=1 -->", "wes");

        foreach (var (_, deliveryId) in (IEnumerable<(long, string)>)[own, ownSaysReview, bot, botLogin, quoted])
        {
            var delivery = await SettledAsync(deliveryId);
            Assert.Equal(DeliveryOutcome.Skipped, delivery.Outcome);
            Assert.Null(delivery.JobId);
            Assert.Contains("Nectr itself", delivery.OutcomeReason, StringComparison.Ordinal);
        }

        Assert.Contains("commands are never taken from bots or Nectr itself", (await SettledAsync(bot.DeliveryId)).OutcomeReason, StringComparison.Ordinal);
        Assert.Contains("Nectr's hidden marker", (await SettledAsync(quoted.DeliveryId)).OutcomeReason, StringComparison.Ordinal);
        await WaitIdleAsync();
        Assert.Equal(1, await _app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        Assert.Single(NectrComments(4));
        Assert.Equal(["eyes", "rocket"], ReactionsOn(helpId));
        Assert.Equal(2, _github.Reactions.Count);
        Assert.Empty(_github.AllReviews());
        _github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Pause_holds_the_reviews_of_pushes_a_person_can_still_ask_for_one_and_resume_reviews_pushes_again(string provider)
    {
        await StartAsync(provider);
        _github.SetPermission(Owner, Repo, "alice", "write");
        _github.AddPullRequest(Owner, Repo, 5, ShaA, [Readme]);

        var (pauseId, pause) = await CommentAsync(5, "@nectr pause", "alice");
        Assert.Equal("@nectr pause by alice: reviews of pushes paused", (await SettledAsync(pause)).OutcomeReason);
        var state = await _app.QueryAsync(db => db.PullRequestStates.AsNoTracking().SingleAsync(Ct));
        Assert.True(state.Paused);
        Assert.Equal("alice", state.PausedBy);
        Assert.NotNull(state.PausedAt);

        await PushAsync(5, ShaB);
        await _app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.HeadSha == ShaB && j.Status == JobStatus.Skipped, Ct), what: "the push's review skipped");
        var skipped = await _app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.HeadSha == ShaB, Ct));
        Assert.Equal(DeliveryOutcome.Skipped, skipped.Outcome);
        Assert.Equal("reviews paused by alice; comment `@nectr resume` to resume", skipped.OutcomeReason);
        Assert.Empty(_github.AllReviews());

        var (_, ask) = await CommentAsync(5, "@nectr review", "alice");
        await SettledAsync(ask);
        var asked = await _github.WaitForReviewAsync(Owner, Repo, 5, TimeSpan.FromSeconds(30));
        Assert.Equal(ShaB, asked.CommitId);

        var (_, resume) = await CommentAsync(5, "/nectr resume", "alice");
        Assert.Equal("@nectr resume by alice: reviews of pushes resumed", (await SettledAsync(resume)).OutcomeReason);
        Assert.False((await _app.QueryAsync(db => db.PullRequestStates.AsNoTracking().SingleAsync(Ct))).Paused);

        await PushAsync(5, ShaC);
        await _app.WaitUntilAsync(db => db.Deliveries.AnyAsync(d => d.HeadSha == ShaC && d.Outcome == DeliveryOutcome.Reviewed, Ct), what: "the push after resume reviewed");
        Assert.Contains(_github.AllReviews(), r => r.CommitId == ShaC);
        Assert.Equal(["eyes", "rocket"], ReactionsOn(pauseId));
        _github.AssertNoUnexpectedCalls();
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Review_and_full_review_queue_a_job_for_the_current_head_asked_for_by_the_author(string provider)
    {
        await StartAsync(provider);
        _github.SetPermission(Owner, Repo, "alice", "maintain");
        await PushAsync(6, ShaA, "pull_request.opened.json");
        await _github.WaitForReviewAsync(Owner, Repo, 6, TimeSpan.FromSeconds(30));
        await WaitIdleAsync();

        // The head moved on GitHub without a delivery reaching Nectr: the command reviews the head as it is now.
        _github.AddPullRequest(Owner, Repo, 6, ShaB, [Readme]);
        var (reviewId, review) = await CommentAsync(6, "Looks better now.\n\n  @Nectr review", "alice");
        var reviewDelivery = await SettledAsync(review);
        await WaitIdleAsync();
        var (fullId, full) = await CommentAsync(6, "@nectr full review", "alice");
        var fullDelivery = await SettledAsync(full);
        await WaitIdleAsync();

        var jobs = await _app.QueryAsync(db => db.ReviewJobs.AsNoTracking().Where(j => j.Kind == JobKind.Review).OrderBy(j => j.Id).ToListAsync(Ct));
        Assert.Equal([(ShaA, 0, false, (string?)null), (ShaB, 0, false, "alice"), (ShaB, 1, true, "alice")],
            jobs.Select(j => (j.HeadSha, j.Rerun, j.Full, j.RequestedBy)));
        Assert.All(jobs, j => Assert.Equal(JobStatus.Done, j.Status));
        Assert.Equal(DeliveryOutcome.Skipped, reviewDelivery.Outcome);
        Assert.Equal($"@nectr review by alice: queued review job {jobs[1].Id} of head bbbbbbb", reviewDelivery.OutcomeReason);
        Assert.Equal($"@nectr full review by alice: queued full review job {jobs[2].Id} of head bbbbbbb", fullDelivery.OutcomeReason);
        Assert.Equal(3, _github.AllReviews().Count);
        Assert.Equal(["eyes", "rocket"], ReactionsOn(reviewId));
        Assert.Equal(["eyes", "rocket"], ReactionsOn(fullId));

        var command = JsonDocument.Parse(fullDelivery.Job!.CommandJson!).RootElement;
        Assert.Equal("FullReview", command.GetProperty("verb").GetString());
        Assert.Equal(fullId, command.GetProperty("comment_id").GetInt64());
        Assert.Equal("Issue", command.GetProperty("comment_kind").GetString());
        Assert.Equal("alice", command.GetProperty("author").GetString());
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Explain_in_reply_to_Nectrs_inline_comment_answers_in_that_thread_with_its_finding()
    {
        await StartAsync();
        _github.SetPermission(Owner, Repo, "alice", "write");
        _github.AddPullRequest(Owner, Repo, 7, ShaA, [Readme]);
        var inline = _github.AddInlineComment(Owner, Repo, 7, _github.ServiceLogin, "**SQL built from user input**\n\n<!-- nectr:finding 3f9a0c1d22aa4b7e -->");
        await SeedFindingAsync(7, "3f9a0c1d22aa4b7e9c0d1e2f3a4b5c6d", "SQL built from user input", "The query concatenates `name` from the request; @eve could inject SQL.", inline.Id);
        await SeedFindingAsync(7, "77aa0c1d22aa4b7e9c0d1e2f3a4b5c6d", "Unused import", "Remove it.", null);

        var (commentId, delivery) = await InlineCommentAsync(7, "@nectr explain", "alice", inReplyTo: inline.Id);
        Assert.Equal("@nectr explain by alice: explained finding 3f9a0c1d", (await SettledAsync(delivery)).OutcomeReason);

        var reply = Assert.Single(NectrComments(7), c => c.ReplyTo is not null);
        Assert.Equal(inline.Id, reply.ReplyTo);
        Assert.Contains("**SQL built from user input** (high, security, id `3f9a0c1d`)", reply.Body, StringComparison.Ordinal);
        Assert.Contains("`src/db.js` line 12", reply.Body, StringComparison.Ordinal);
        Assert.DoesNotContain("@eve", reply.Body, StringComparison.Ordinal); // hygiene: no mention leaves Nectr
        Assert.EndsWith(CommandReplies.Marker(commentId), reply.Body, StringComparison.Ordinal);
        Assert.Equal(["eyes", "rocket"], ReactionsOn(commentId));
        Assert.All(_github.Reactions, r => Assert.Equal("review", r.On));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Explain_by_id_or_title_words_answers_in_the_conversation_and_one_that_names_nothing_is_confused()
    {
        await StartAsync();
        _github.SetPermission(Owner, Repo, "alice", "admin");
        _github.AddPullRequest(Owner, Repo, 8, ShaA, [Readme]);
        await SeedFindingAsync(8, "3f9a0c1d22aa4b7e9c0d1e2f3a4b5c6d", "SQL built from user input", "Use a parameter.", null);
        await SeedFindingAsync(8, "77aa0c1d22aa4b7e9c0d1e2f3a4b5c6d", "Unused import", "Remove it.", null);

        var (byIdComment, byId) = await CommentAsync(8, "@nectr explain 77aa0c1d", "alice");
        await SettledAsync(byId);
        var (_, byWords) = await CommentAsync(8, "/nectr explain sql input", "alice");
        await SettledAsync(byWords);
        var (nothingComment, nothing) = await CommentAsync(8, "@nectr explain flux capacitor", "alice");
        Assert.Equal("@nectr explain by alice: no finding matched; answered with the PR's findings", (await SettledAsync(nothing)).OutcomeReason);

        var replies = NectrComments(8);
        Assert.Equal(3, replies.Count);
        Assert.All(replies, r => Assert.Null(r.ReplyTo));
        Assert.Contains("**Unused import**", replies[0].Body, StringComparison.Ordinal);
        Assert.Contains("**SQL built from user input**", replies[1].Body, StringComparison.Ordinal);
        Assert.Contains("No finding of this pull request matches `flux capacitor`", replies[2].Body, StringComparison.Ordinal);
        Assert.Contains("- `3f9a0c1d` SQL built from user input", replies[2].Body, StringComparison.Ordinal);
        Assert.Equal(["eyes", "rocket"], ReactionsOn(byIdComment));
        Assert.Equal(["eyes", "confused"], ReactionsOn(nothingComment));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Help_names_the_configured_handle_and_an_unknown_command_gets_help_and_a_confused_reaction()
    {
        await StartAsync(handle: "reviewbot");
        _github.SetPermission(Owner, Repo, "alice", "write");
        _github.AddPullRequest(Owner, Repo, 9, ShaA, [Readme]);

        var (helpId, help) = await CommentAsync(9, "@reviewbot help", "alice");
        await SettledAsync(help);
        var (_, otherHandle) = await CommentAsync(9, "@nectr help", "alice");
        var (unknownId, unknown) = await CommentAsync(9, "/ReviewBot dance", "alice");
        await SettledAsync(unknown);
        var (_, trailing) = await CommentAsync(9, "@reviewbot pause for a week", "alice");
        await SettledAsync(trailing);

        Assert.Equal("comment is not a command (@reviewbot … or /reviewbot … at the start of a line)", (await SettledAsync(otherHandle)).OutcomeReason);
        var replies = NectrComments(9);
        Assert.Equal(3, replies.Count);
        Assert.Contains("| `@reviewbot full review` |", replies[0].Body, StringComparison.Ordinal);
        Assert.DoesNotContain("nectr review", replies[0].Body, StringComparison.Ordinal);
        Assert.Contains("`/ReviewBot dance` is not a command I know.", replies[1].Body, StringComparison.Ordinal);
        Assert.Contains("is not a command I know.", replies[2].Body, StringComparison.Ordinal); // no command takes settings
        Assert.All(replies, r => Assert.Null(CommandParser.Parse(r.Body, "reviewbot")));
        Assert.False(await _app.QueryAsync(db => db.PullRequestStates.AnyAsync(Ct)));
        Assert.Equal(["eyes", "rocket"], ReactionsOn(helpId));
        Assert.Equal(["eyes", "confused"], ReactionsOn(unknownId));
        _github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task Edited_comments_commands_in_code_or_quotes_and_comments_on_issues_are_skipped_with_their_reason()
    {
        await StartAsync();
        var edited = await CommentAsync(10, "@nectr review", "alice", fixture: "issue_comment.edited.json");
        var fenced = await CommentAsync(10, "Try this:\n```\n@nectr review\n```", "alice");
        var quote = await CommentAsync(10, "> @nectr pause\n\nwhy?", "alice");
        var indented = await CommentAsync(10, "Example:\n\n    @nectr pause", "alice");
        var issue = await CommentAsync(10, "@nectr review", "alice", onIssue: true);
        var prefix = await CommentAsync(10, "@nectrbot review", "alice");

        Assert.Equal("issue_comment action 'edited': only new comments can give commands (edits and deletions are ignored)", (await SettledAsync(edited.DeliveryId)).OutcomeReason);
        foreach (var (_, deliveryId) in (IEnumerable<(long, string)>)[fenced, quote, indented, prefix])
        {
            Assert.Equal("comment is not a command (@nectr … or /nectr … at the start of a line)", (await SettledAsync(deliveryId)).OutcomeReason);
        }

        Assert.Equal("a comment on an issue, not a pull request: commands work on pull requests only", (await SettledAsync(issue.DeliveryId)).OutcomeReason);
        Assert.False(await _app.QueryAsync(db => db.ReviewJobs.AnyAsync(Ct)));
        Assert.DoesNotContain(_github.Requests, r => r.Path != "/user");
    }

    [Fact]
    public async Task A_reply_whose_answer_was_lost_is_found_by_its_marker_on_the_retry_and_not_posted_twice()
    {
        await StartAsync();
        _github.SetPermission(Owner, Repo, "alice", "write");
        _github.AddPullRequest(Owner, Repo, 11, ShaA, [Readme]);
        _github.FailNextCommentPostsAfterCreating(1);

        var (commentId, help) = await CommentAsync(11, "@nectr help", "alice");

        var delivery = await SettledAsync(help);
        Assert.Equal("@nectr help by alice: answered with the list of commands (the reply an earlier attempt posted)", delivery.OutcomeReason);
        Assert.Equal(2, delivery.Job!.Attempts);
        Assert.Single(NectrComments(11));
        Assert.Single(_github.Requests, r => r.Method == "POST" && r.Path.EndsWith("/issues/11/comments", StringComparison.Ordinal));
        Assert.Single(_github.Requests, r => r.Method == "GET" && r.Path.EndsWith("/issues/11/comments", StringComparison.Ordinal));
        Assert.Equal(["eyes", "rocket"], ReactionsOn(commentId));
        _github.AssertNoUnexpectedCalls();
    }

    private Task<int> SeedFindingAsync(int number, string fingerprint, string title, string body, long? reviewCommentId) =>
        _app.QueryAsync(async db =>
        {
            db.PullRequestFindings.Add(new PullRequestFindingRecord
            {
                RepositoryFullName = $"{Owner}/{Repo}", Number = number, Fingerprint = fingerprint, RuleId = "llm", File = "src/db.js", Line = 12,
                Severity = "high", Category = "security", Title = title, Body = body, State = TrackedFindingState.Open, Inline = reviewCommentId is not null,
                FirstSeenSha = ShaA, LastSeenSha = ShaA, ReviewCommentId = reviewCommentId, CreatedAt = DateTime.UtcNow, UpdatedAt = DateTime.UtcNow,
            });
            return await db.SaveChangesAsync(Ct);
        });
}
