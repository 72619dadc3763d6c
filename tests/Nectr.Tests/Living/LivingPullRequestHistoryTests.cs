using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Engine.Living;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Living;

/// <summary>
/// A pull request lived with for ten pushes (opened, then nine pushes, one of them a force-push), each changing some
/// flagged lines and leaving others, reviewed through the front door by the built-in checks (leaked keys, conflict
/// markers) against the fake GitHub. After every push: no fingerprint was ever posted inline twice, the ledger says
/// what is open and what is resolved, Nectr's own threads of resolved findings are resolved through GraphQL, and
/// the GitHub calls of the push are the documented ones.
/// </summary>
public sealed class LivingPullRequestHistoryTests
{
    private const string Owner = "octo-org";
    private const string Repo = "payments";
    private const long RepoId = 987654;
    private const int Number = 7;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static string Sha(int step, char kind = 'a') => string.Concat(Enumerable.Repeat($"{kind}{step:x1}", 20));

    /// <summary>An AWS access key id the secret check flags; each <paramref name="n"/> is another key.</summary>
    private static string Key(int n) => "AKIAQ3WZ7XK2LMNP4R" + "TVWXYZ"[n] + "Q";

    /// <summary>A file new in the PR: every line added.</summary>
    private static FakeFile Added(string path, params string[] lines) =>
        new(path, "added", $"@@ -0,0 +1,{lines.Length} @@\n" + string.Join('\n', lines.Select(l => "+" + l)));

    private static readonly FakeFile[] Open =
    [
        Added("src/a.js", "export const config = {", $"  one: '{Key(0)}',", $"  two: '{Key(1)}',", "};"),
        Added("src/b.py", "def total(e):", "<<<<<<< HEAD", "    t = e.a", "=======", "    t = e.b", ">>>>>>> feature/x", "    return t"),
    ];

    /// <summary>One push: the PR's files after it, the paths it changed, and what the review of it must do.</summary>
    private sealed record Push(string Name, FakeFile[] Files, string[] Changed, int NewInline, int Open, int Resolved, bool Force = false);

    private static readonly FakeFile A1 = Added("src/a.js", "// config", "export const config = {", $"  two: '{Key(1)}',", $"  three: '{Key(2)}',", "};");
    private static readonly FakeFile A2 = Added("src/a.js", "// config", "export const config = {", $"  two: '{Key(1)}',", $"  three: '{Key(2)}',", "};", "// more");
    private static readonly FakeFile A3 = Added("src/a.js", "// config", "export const config = {", $"  four: '{Key(3)}',", "};", "// more");
    private static readonly FakeFile B1 = Added("src/b.py", "def total(e):", "    t = e.a", "    return t");
    private static readonly FakeFile C1 = Added("settings/c.cfg", "[aws]", $"key = {Key(4)}");
    private static readonly FakeFile C2 = Added("settings/c.cfg", "[aws]", $"key = {Key(4)}", "<<<<<<< ours", "x = 1", "=======", "x = 2", ">>>>>>> theirs");
    private static readonly FakeFile C3 = Added("settings/c.cfg", "[aws]", "region = eu-west-1");
    private static readonly FakeFile D1 = Added("src/d.js", "export const d = 1;");
    private static readonly FakeFile D2 = Added("src/d.js", "export const d = 1;", $"export const k = '{Key(5)}';");
    private static readonly FakeFile D3 = Added("src/d.js", "export const d = 2;", $"export const k = '{Key(5)}';");

    private static readonly Push[] History =
    [
        new("opened: two keys and a conflict block", Open, [], NewInline: 3, Open: 3, Resolved: 0),
        new("one key removed, one moved down, one added", [A1, Open[1]], ["src/a.js"], NewInline: 1, Open: 3, Resolved: 1),
        new("a config file with a key", [A1, Open[1], C1], ["settings/c.cfg"], NewInline: 1, Open: 4, Resolved: 1),
        new("the conflict resolved", [A1, B1, C1], ["src/b.py"], NewInline: 0, Open: 3, Resolved: 2),
        new("unflagged edits around the open keys", [A2, B1, C1, D1], ["src/a.js", "src/d.js"], NewInline: 0, Open: 3, Resolved: 2),
        new("force-push after a rebase, one key more", [A2, C1, D2], ["src/a.js", "settings/c.cfg", "src/d.js"], NewInline: 1, Open: 4, Resolved: 2, Force: true),
        new("two keys replaced by another", [A3, C1, D2], ["src/a.js"], NewInline: 1, Open: 3, Resolved: 4),
        new("a conflict block in the config", [A3, C2, D2], ["settings/c.cfg"], NewInline: 1, Open: 4, Resolved: 4),
        new("an unflagged edit next to a key", [A3, C2, D3], ["src/d.js"], NewInline: 0, Open: 4, Resolved: 4),
        new("the config cleaned up", [A3, C3, D3], ["settings/c.cfg"], NewInline: 0, Open: 2, Resolved: 6),
    ];

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Ten_pushes_post_no_inline_comment_twice_resolve_what_is_gone_and_say_when_the_branch_was_rewritten(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        var pr = github.AddPullRequest(Owner, Repo, Number, Sha(0), Open);
        github.AddCommit(Sha(0), null, [.. Open.Select(f => f.Filename)]);
        github.AddCommit(Sha(0, 'e'), null, []); // the base a force-push rebases onto
        var callsPerPush = new List<IReadOnlyList<string>>();

        for (var step = 0; step < History.Length; step++)
        {
            var push = History[step];
            var reviewsBefore = github.ReviewsOn(Owner, Repo, Number).Count;
            var requestsBefore = github.Requests.Count;
            if (step > 0)
            {
                github.Push(pr, Sha(step), push.Files, push.Changed, forceOnto: push.Force ? Sha(0, 'e') : null);
            }

            using var delivered = await client.SendAsync(SignedDelivery.Create("pull_request",
                PullRequestPayload.From(step == 0 ? "pull_request.opened.json" : "pull_request.synchronize.json", Owner, Repo, Number, Sha(step), RepoId),
                NectrApp.WebhookSecret), Ct);
            var head = Sha(step);
            await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.HeadSha == head && (j.Status == JobStatus.Done || j.Status == JobStatus.Skipped || j.Status == JobStatus.Parked), Ct),
                what: $"the review of push {step} ({push.Name})");
            var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.HeadSha == head, Ct));
            Assert.True(job.Status != JobStatus.Parked, $"push {step} ({push.Name}) parked: {job.OutcomeReason}");
            callsPerPush.Add([.. github.Requests.Skip(requestsBefore).Where(r => r.Path != "/user").Select(r => $"{r.Method} {r.Path}")]);

            // What this push posted: a review only when there is something new, with only the new inline comments.
            var reviews = github.ReviewsOn(Owner, Repo, Number);
            var posted = reviews.Skip(reviewsBefore).ToList();
            Assert.True(posted.Count <= 1, $"push {step}: {posted.Count} reviews");
            Assert.Equal(push.NewInline, posted.Sum(r => r.Comments.Count));
            Assert.Equal(push.NewInline > 0 || push.Force || step == 0, posted.Count == 1);

            // 0 duplicate inline comments: every inline comment on the PR so far carries its own fingerprint, once.
            var inline = reviews.SelectMany(r => r.Comments).ToList();
            var fingerprints = inline.Select(c => FindingMarker.Read(c.Body)).ToList();
            Assert.All(fingerprints, Assert.NotNull);
            Assert.Equal(fingerprints.Count, fingerprints.Distinct().Count());
            Assert.Equal(inline.Count, inline.Select(c => c.Body).Distinct().Count());

            // The ledger: open and resolved findings, each posted one with its comment's id.
            var ledger = await app.QueryAsync(db => db.PullRequestFindings.AsNoTracking().Where(f => f.Number == Number).ToListAsync(Ct));
            Assert.Equal((push.Open, push.Resolved), (ledger.Count(f => f.State == TrackedFindingState.Open), ledger.Count(f => f.State == TrackedFindingState.Resolved)));
            var commentIds = reviews.SelectMany(r => r.Comments.Select((c, i) => (Fingerprint: FindingMarker.Read(c.Body)!, Id: FakeGitHub.CommentId(r, i)))).ToList();
            Assert.All(commentIds, c => Assert.Equal(c.Id, ledger.Single(f => f.Fingerprint == c.Fingerprint).ReviewCommentId));

            // Own threads of resolved findings are resolved on GitHub; threads of open ones are not.
            var resolvedThreads = ledger.Where(f => f.State == TrackedFindingState.Resolved).Select(f => FakeGitHub.ThreadId(f.ReviewCommentId!.Value)).Order().ToList();
            Assert.Equal(resolvedThreads, github.ResolvedThreads.Order().ToList());
            Assert.All(ledger.Where(f => f.State == TrackedFindingState.Resolved), f => Assert.True(f.ThreadResolved));

            var state = await app.QueryAsync(db => db.PullRequestStates.AsNoTracking().SingleAsync(s => s.Number == Number, Ct));
            Assert.Equal(head, state.LastReviewedSha);

            // Exactly one summary comment on the PR after every push, edited in place, naming this head and showing
            // every finding of the PR with its status: each resolved one struck through as resolved.
            var summary = Assert.Single(github.CommentsOn(Owner, Repo, Number));
            Assert.Equal(summary.Id, state.SummaryCommentId);
            Assert.Equal(step, summary.Edits);
            Assert.Contains(head[..7], summary.Body, StringComparison.Ordinal);
            Assert.Contains($"**{push.Open} open** ({push.NewInline} new, {push.Open - push.NewInline} still open) · {push.Resolved} resolved", summary.Body, StringComparison.Ordinal);
            Assert.Equal(push.Resolved, summary.Body.Split('\n').Count(l => l.Contains("✅ resolved", StringComparison.Ordinal)));

            if (push.Force)
            {
                Assert.Contains($"full review: the branch was rewritten since {Sha(step - 1)[..7]}", posted[0].Body, StringComparison.Ordinal);
            }
            else if (step > 0 && posted.Count == 1)
            {
                Assert.Contains($"Incremental review of {Sha(step - 1)[..7]}..{head[..7]}", posted[0].Body, StringComparison.Ordinal);
            }
        }

        Assert.Equal(8, github.ReviewsOn(Owner, Repo, Number).Sum(r => r.Comments.Count));
        Assert.Equal(6, github.ResolvedThreads.Count);
        github.AssertNoUnexpectedCalls();

        // The GitHub calls per push (docs/DEVELOPING.md, "What Nectr calls on GitHub per push").
        var pulls = $"/repos/{Owner}/{Repo}/pulls/{Number}";
        string Compare(int step) => $"GET /repos/{Owner}/{Repo}/compare/{Sha(step - 1)}...{Sha(step)}";
        string Comments(int review) => $"GET {pulls}/reviews/{github.ReviewsOn(Owner, Repo, Number)[review].Id}/comments";
        var settings = $"GET /repos/{Owner}/{Repo}/contents/.nectr.yml"; // the default branch's .nectr.yml (a 304 once cached)
        var summaryId = github.CommentsOn(Owner, Repo, Number)[0].Id;
        var edit = $"PATCH /repos/{Owner}/{Repo}/issues/comments/{summaryId}"; // the summary comment, edited in place
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", $"GET {pulls}/commits", $"POST {pulls}/reviews", Comments(0),
            $"GET /repos/{Owner}/{Repo}/issues/{Number}/comments", $"POST /repos/{Owner}/{Repo}/issues/{Number}/comments"], callsPerPush[0]);
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", Compare(1), $"GET {pulls}/commits", $"POST {pulls}/reviews", Comments(1), "POST /graphql", "POST /graphql", edit], callsPerPush[1]);
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", Compare(3), $"GET {pulls}/commits", "POST /graphql", "POST /graphql", edit], callsPerPush[3]);
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", Compare(4), $"GET {pulls}/commits", edit], callsPerPush[4]);
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", Compare(5), $"GET {pulls}/commits", $"POST {pulls}/reviews", Comments(3), edit], callsPerPush[5]);
        Assert.Equal([$"GET {pulls}", settings, $"GET {pulls}/files", Compare(9), $"GET {pulls}/commits", "POST /graphql", "POST /graphql", "POST /graphql", edit], callsPerPush[9]);
    }

    [Fact]
    public async Task A_push_after_the_last_reviewed_commit_is_gone_from_github_gets_a_full_review_that_says_so()
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        var pr = github.AddPullRequest(Owner, Repo, Number, Sha(0), Open);
        github.AddCommit(Sha(0), null, [.. Open.Select(f => f.Filename)]);
        await DeliverAndWaitAsync(app, client, "pull_request.opened.json", Sha(0));

        github.Push(pr, Sha(1), [A1, Open[1]], ["src/a.js"], forceOnto: Sha(0, 'e'));
        github.ForgetCommit(Sha(0)); // force-pushed away and garbage-collected: the compare answers 404
        await DeliverAndWaitAsync(app, client, "pull_request.synchronize.json", Sha(1));

        var reviews = github.ReviewsOn(Owner, Repo, Number);
        Assert.Equal(2, reviews.Count);
        Assert.Contains($"full review: the branch was rewritten since {Sha(0)[..7]} (GitHub no longer has that commit)", reviews[1].Body, StringComparison.Ordinal);
        Assert.Single(reviews[1].Comments); // the one new key; the two still open are not posted again
        Assert.Contains(github.Requests, r => r.Path.Contains("/compare/", StringComparison.Ordinal) && r.Status == 404);
        github.AssertNoUnexpectedCalls();
    }

    [Fact]
    public async Task A_push_that_changes_none_of_the_files_edits_the_summary_to_the_new_head_and_posts_no_review()
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = new NectrApp(database, github.ApiUrl, github.Token);
        using var client = app.CreateClient();
        var pr = github.AddPullRequest(Owner, Repo, Number, Sha(0), Open);
        github.AddCommit(Sha(0), null, [.. Open.Select(f => f.Filename)]);
        await DeliverAndWaitAsync(app, client, "pull_request.opened.json", Sha(0));
        var summaryId = Assert.Single(github.CommentsOn(Owner, Repo, Number)).Id;
        var requestsBefore = github.Requests.Count;

        github.Push(pr, Sha(1), Open, []); // an empty commit: the compare lists no file
        await DeliverAndWaitAsync(app, client, "pull_request.synchronize.json", Sha(1));

        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(j => j.HeadSha == Sha(1), Ct));
        Assert.Equal(JobStatus.Skipped, job.Status);
        Assert.Contains($"nothing changed since {Sha(0)[..7]}", job.OutcomeReason, StringComparison.Ordinal);
        var pulls = $"/repos/{Owner}/{Repo}/pulls/{Number}";
        Assert.Equal([$"GET {pulls}", $"GET /repos/{Owner}/{Repo}/contents/.nectr.yml", $"GET {pulls}/files",
            $"GET /repos/{Owner}/{Repo}/compare/{Sha(0)}...{Sha(1)}", $"PATCH /repos/{Owner}/{Repo}/issues/comments/{summaryId}"],
            github.Requests.Skip(requestsBefore).Where(r => r.Path != "/user").Select(r => $"{r.Method} {r.Path}").ToList());
        Assert.Single(github.ReviewsOn(Owner, Repo, Number));
        var summary = Assert.Single(github.CommentsOn(Owner, Repo, Number));
        Assert.Equal(1, summary.Edits);
        Assert.Contains($"**Last reviewed commit:** `{Sha(1)}`", summary.Body, StringComparison.Ordinal);
        Assert.Contains($"nothing changed since {Sha(0)[..7]}", summary.Body, StringComparison.Ordinal);
        // The findings of the first review are all still open, and the verdict still says so.
        Assert.Contains("**3 open** (0 new, 3 still open) · 0 resolved", summary.Body, StringComparison.Ordinal);
        Assert.Contains("still open from earlier reviews", summary.Body, StringComparison.Ordinal);
        var state = await app.QueryAsync(db => db.PullRequestStates.AsNoTracking().SingleAsync(s => s.Number == Number, Ct));
        Assert.Equal(Sha(1), state.LastReviewedSha);

        // The same head reviewed again (as `@nectr review` with nothing pushed queues it) leaves the summary alone: it names that head already.
        var requestsAfter = github.Requests.Count;
        await app.QueryAsync(db =>
        {
            var now = DateTime.UtcNow;
            db.ReviewJobs.Add(new ReviewJob { RepositoryFullName = $"{Owner}/{Repo}", PullNumber = Number, HeadSha = Sha(1), Rerun = 1, CreatedAt = now, UpdatedAt = now });
            return db.SaveChangesAsync(Ct);
        });
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.HeadSha == Sha(1) && j.Rerun == 1 && j.Status == JobStatus.Skipped, Ct), what: "the re-run of the same head");
        Assert.DoesNotContain(github.Requests.Skip(requestsAfter), r => r.Method is "PATCH" or "POST");
        Assert.Equal(1, Assert.Single(github.CommentsOn(Owner, Repo, Number)).Edits);
        github.AssertNoUnexpectedCalls();
    }

    private static async Task DeliverAndWaitAsync(NectrApp app, HttpClient client, string fixture, string head)
    {
        using var delivered = await client.SendAsync(SignedDelivery.Create("pull_request", PullRequestPayload.From(fixture, Owner, Repo, Number, head, RepoId), NectrApp.WebhookSecret), Ct);
        await app.WaitUntilAsync(db => db.ReviewJobs.AnyAsync(j => j.HeadSha == head && (j.Status == JobStatus.Done || j.Status == JobStatus.Skipped || j.Status == JobStatus.Parked), Ct),
            what: $"the review of {head[..7]}");
    }
}
