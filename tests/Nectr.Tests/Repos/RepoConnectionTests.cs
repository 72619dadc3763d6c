using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Repos;

/// <summary>Connecting and disconnecting repositories through the API, against a fake GitHub, end to end to intake.</summary>
public sealed class RepoConnectionTests
{
    private const string Owner = "Codertocat";
    private const string Name = "Hello-World";
    private const string FullName = Owner + "/" + Name;
    private const long RepoId = 186853002;
    private const string HeadSha = "ec26c3e57ca3a959ca5aad62de7213c562f8c821";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static byte[] PullRequest(int number, string sha = HeadSha) =>
        PullRequestPayload.From("pull_request.opened.json", Owner, Name, number, sha, RepoId);

    private static async Task<(RepoTestKit Kit, HttpClient Admin)> ConnectableAsync(TestDatabase database)
    {
        var kit = await RepoTestKit.StartAsync(database);
        var admin = await kit.UserAsync("octocat", 583231);
        kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository(Owner, Name, RepoId), admin: true);
        return (kit, admin);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Connect_installs_one_hook_whose_secret_verifies_deliveries_while_a_wrong_secret_is_refused_and_counted(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        var (kit, admin) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = admin;

        var answer = await RepoTestKit.ConnectAsync(admin, FullName);

        var hook = Assert.Single(kit.GitHub.HooksOn(Owner, Name));
        Assert.Equal(RepoTestKit.HookUrl, hook.Url);
        Assert.Equal("json", hook.ContentType);
        Assert.Equal("0", hook.InsecureSsl);
        Assert.True(hook.Active);
        Assert.Equal(["issue_comment", "issues", "pull_request", "pull_request_review_comment"], hook.Events.Order(StringComparer.Ordinal));
        Assert.Matches("^[0-9a-f]{64}$", hook.Secret);
        Assert.Equal("connected", answer.GetProperty("status").GetString());
        var connection = answer.GetProperty("connection");
        Assert.True(connection.GetProperty("connected").GetBoolean());
        Assert.Equal(hook.Id, connection.GetProperty("hook_id").GetInt64());
        Assert.Equal(RepoId, connection.GetProperty("github_id").GetInt64());
        var record = await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().SingleAsync(Ct));
        Assert.True(record.Connected);
        Assert.Equal(hook.Id, record.HookId);
        Assert.Equal(RepoId, record.GitHubId);
        Assert.NotNull(record.ConnectedAt);
        Assert.NotNull(record.ConnectedByUserId);

        using (var accepted = await kit.DeliverAsync(PullRequest(1), hook.Secret!))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        Assert.Equal(1, await kit.App.QueryAsync(db => db.ReviewJobs.CountAsync(j => j.RepositoryFullName == FullName && j.PullNumber == 1, Ct)));

        using (var refused = await kit.DeliverAsync(PullRequest(2), "not-the-hook-secret"))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await kit.App.WaitUntilAsync(db => db.Repositories.AnyAsync(r => r.SignatureFailures == 1 && r.LastSignatureFailureAt != null, Ct), what: "the failed signature to be counted");
        Assert.Equal(0, await kit.App.QueryAsync(db => db.ReviewJobs.CountAsync(j => j.PullNumber == 2, Ct)));

        using var list = JsonDocument.Parse(await admin.GetStringAsync("/api/v1/repos", Ct));
        var listed = Assert.Single(list.RootElement.GetProperty("repositories").EnumerateArray());
        Assert.Equal(1, listed.GetProperty("connection").GetProperty("signature_failures").GetInt32());
        // Named only to a signed-in user who sees the repository; anonymous /health/ready names none (HealthTests).
        using var ready = JsonDocument.Parse(await admin.GetStringAsync("/health/ready", Ct));
        Assert.Contains(ready.RootElement.GetProperty("warnings").EnumerateArray(), w =>
            w.GetString()!.Contains(FullName, StringComparison.Ordinal) && w.GetString()!.Contains("Disconnect and Connect again", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_second_admin_connecting_the_same_repository_gets_the_existing_connection_and_no_second_hook()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (kit, first) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = first;
        using var second = await kit.UserAsync("hubot", 1_000_001);
        kit.GitHub.Grant(RepoTestKit.TokenOf("hubot"), kit.GitHub.RepositoryNamed(FullName), admin: true);

        await RepoTestKit.ConnectAsync(first, FullName);
        var hook = Assert.Single(kit.GitHub.HooksOn(Owner, Name));
        var again = await RepoTestKit.ConnectAsync(second, FullName);

        Assert.Equal("already_connected", again.GetProperty("status").GetString());
        Assert.Equal(hook, Assert.Single(kit.GitHub.HooksOn(Owner, Name)));
        Assert.Equal(1, await kit.App.QueryAsync(db => db.Repositories.CountAsync(Ct)));
        Assert.DoesNotContain(kit.GitHub.Requests, r => r.Method is "POST" or "PATCH" && r.Headers["Authorization"].EndsWith(RepoTestKit.TokenOf("hubot"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task Disconnect_deletes_the_hook_and_forgets_the_secret_but_keeps_the_history()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (kit, admin) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = admin;
        await RepoTestKit.ConnectAsync(admin, FullName);
        var secret = Assert.Single(kit.GitHub.HooksOn(Owner, Name)).Secret!;
        using (var accepted = await kit.DeliverAsync(PullRequest(1), secret))
        {
            Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
        }

        using var response = await RepoTestKit.InstallAsync(admin, HttpMethod.Delete, FullName, await RepoTestKit.CsrfAsync(admin));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Empty(kit.GitHub.HooksOn(Owner, Name));
        var record = await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().SingleAsync(Ct));
        Assert.False(record.Connected);
        Assert.Null(record.HookId);
        Assert.Null(record.WebhookSecretProtected);
        Assert.NotNull(record.DisconnectedAt);
        Assert.Equal(1, await kit.App.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(1, await kit.App.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));

        using (var stale = await kit.DeliverAsync(PullRequest(3), secret))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, stale.StatusCode);
        }

        using var global = await kit.DeliverAsync(PullRequest(4), NectrApp.WebhookSecret);
        Assert.Equal(HttpStatusCode.Accepted, global.StatusCode);
    }

    [Fact]
    public async Task Install_and_uninstall_without_an_antiforgery_token_are_refused_and_change_nothing()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (kit, admin) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = admin;

        using (var post = await RepoTestKit.InstallAsync(admin, HttpMethod.Post, FullName, csrf: null))
        {
            ProblemAssert.IsProblem(post, HttpStatusCode.BadRequest);
        }

        using (var forged = await RepoTestKit.InstallAsync(admin, HttpMethod.Post, FullName, csrf: "forged"))
        {
            ProblemAssert.IsProblem(forged, HttpStatusCode.BadRequest);
        }

        Assert.Empty(kit.GitHub.HooksOn(Owner, Name));
        Assert.Equal(0, await kit.App.QueryAsync(db => db.Repositories.CountAsync(Ct)));

        await RepoTestKit.ConnectAsync(admin, FullName);
        var hook = Assert.Single(kit.GitHub.HooksOn(Owner, Name));
        var before = kit.GitHub.Requests.Count;
        using (var delete = await RepoTestKit.InstallAsync(admin, HttpMethod.Delete, FullName, csrf: null))
        {
            ProblemAssert.IsProblem(delete, HttpStatusCode.BadRequest);
        }

        Assert.Equal(before, kit.GitHub.Requests.Count);
        Assert.Equal(hook, Assert.Single(kit.GitHub.HooksOn(Owner, Name)));
        Assert.True(await kit.App.QueryAsync(db => db.Repositories.AnyAsync(r => r.Connected && r.HookId == hook.Id && r.WebhookSecretProtected != null, Ct)));
    }

    [Fact]
    public async Task A_user_without_admin_rights_gets_403_and_no_hook_is_created()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        var repository = kit.GitHub.AddRepository(Owner, Name, RepoId);
        using var reader = await kit.UserAsync("reader", 42);
        kit.GitHub.Grant(RepoTestKit.TokenOf("reader"), repository, admin: false);

        using var response = await RepoTestKit.InstallAsync(reader, HttpMethod.Post, FullName, await RepoTestKit.CsrfAsync(reader));

        ProblemAssert.IsProblem(response, HttpStatusCode.Forbidden);
        Assert.Empty(kit.GitHub.HooksOn(Owner, Name));
        Assert.DoesNotContain(kit.GitHub.Requests, r => r.Path.Contains("/hooks", StringComparison.Ordinal));
        Assert.Equal(0, await kit.App.QueryAsync(db => db.Repositories.CountAsync(Ct)));
    }

    [Fact]
    public async Task A_repository_the_user_cannot_see_is_404()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database);
        kit.GitHub.AddRepository(Owner, Name, RepoId);
        using var stranger = await kit.UserAsync("stranger", 43);

        using var response = await RepoTestKit.InstallAsync(stranger, HttpMethod.Post, FullName, await RepoTestKit.CsrfAsync(stranger));

        ProblemAssert.IsProblem(response, HttpStatusCode.NotFound);
        Assert.Empty(kit.GitHub.HooksOn(Owner, Name));
    }

    [Fact]
    public async Task The_database_file_holds_the_webhook_secret_only_encrypted()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (kit, admin) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = admin;

        await RepoTestKit.ConnectAsync(admin, FullName);
        var secret = Assert.Single(kit.GitHub.HooksOn(Owner, Name)).Secret!;

        var stored = await kit.App.QueryAsync(db => db.Repositories.AsNoTracking().Select(r => r.WebhookSecretProtected).SingleAsync(Ct));
        Assert.NotNull(stored);
        Assert.DoesNotContain(secret, stored, StringComparison.OrdinalIgnoreCase);
        var needle = Encoding.ASCII.GetBytes(secret);
        foreach (var file in new[] { kit.DatabaseFile, kit.DatabaseFile + "-wal" }.Where(File.Exists))
        {
            var bytes = await ReadSharedAsync(file);
            Assert.True(bytes.AsSpan().IndexOf(needle) < 0, $"{Path.GetFileName(file)} contains the webhook secret in clear");
        }
    }

    [Fact]
    public async Task A_hook_already_on_GitHub_with_Nectrs_url_is_updated_with_a_new_secret_not_duplicated()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        var (kit, admin) = await ConnectableAsync(database);
        await using var _ = kit;
        using var __ = admin;
        var existing = kit.GitHub.AddHook(Owner, Name, RepoTestKit.HookUrl, "a-secret-nectr-no-longer-knows");
        var unrelated = kit.GitHub.AddHook(Owner, Name, "https://ci.example.test/hook", "ci-secret");

        var answer = await RepoTestKit.ConnectAsync(admin, FullName);

        Assert.Equal("connected_reused_hook", answer.GetProperty("status").GetString());
        var hooks = kit.GitHub.HooksOn(Owner, Name);
        Assert.Equal(2, hooks.Count);
        Assert.Contains(unrelated, hooks);
        var updated = Assert.Single(hooks, h => h.Url == RepoTestKit.HookUrl);
        Assert.Equal(existing.Id, updated.Id);
        Assert.NotEqual(existing.Secret, updated.Secret);
        Assert.Equal(["issue_comment", "issues", "pull_request", "pull_request_review_comment"], updated.Events.Order(StringComparer.Ordinal));
        Assert.Contains(kit.GitHub.Requests, r => r.Method == "PATCH" && r.Path.EndsWith($"/hooks/{existing.Id}", StringComparison.Ordinal));
        Assert.DoesNotContain(kit.GitHub.Requests, r => r.Method == "POST" && r.Path.EndsWith("/hooks", StringComparison.Ordinal));
        using var accepted = await kit.DeliverAsync(PullRequest(1), updated.Secret!);
        Assert.Equal(HttpStatusCode.Accepted, accepted.StatusCode);
    }

    [Fact]
    public async Task Connect_without_BACKEND_URL_is_a_503_problem_that_names_the_fix()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var kit = await RepoTestKit.StartAsync(database, backendUrl: null);
        kit.GitHub.Grant(RepoTestKit.TokenOf("octocat"), kit.GitHub.AddRepository(Owner, Name, RepoId), admin: true);
        using var admin = await kit.UserAsync("octocat", 583231);

        using var response = await RepoTestKit.InstallAsync(admin, HttpMethod.Post, FullName, await RepoTestKit.CsrfAsync(admin));

        ProblemAssert.IsProblem(response, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("BACKEND_URL", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Empty(kit.GitHub.HooksOn(Owner, Name));
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy, Ct);
        return copy.ToArray();
    }
}
