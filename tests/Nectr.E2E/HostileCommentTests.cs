using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.E2E.Infrastructure;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E;

/// <summary>
/// Hostile PR comments sent to a running Nectr process, each signed as GitHub signs (except the forged one): a 1 MB
/// body, NUL characters (escaped, and raw bytes inside the JSON), wrong JSON types, a truncated body, a wrong
/// signature. Each is answered with a clear 4xx or stored and skipped with a reason: never a 5xx, never a job, never a
/// GitHub call, at most one log entry, and neither the comment's text nor the webhook secret in the log.
/// </summary>
public sealed class HostileCommentTests
{
    private const string Owner = "octo-org";
    private const string Repo = "ledger";
    private const long RepoId = 708_112_399;
    private const int Number = 12;
    private const string Marker = "HOSTILE-COMMENT-TEXT-5f1c";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>One hostile delivery: its bytes (signed with <c>secret</c>) and the answer it must get.</summary>
    private sealed record Hostile(string Name, byte[] Body, HttpStatusCode Status, string? Skipped = null, string Secret = E2EDatabase.Secret);

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Hostile_comments_get_a_clear_4xx_or_are_skipped_with_a_reason_and_cause_no_job_no_github_call_and_no_leak(string provider)
    {
        await using var github = await FakeGitHub.StartAsync();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var server = await NectrProcess.StartAsync(E2EDatabase.Settings(database, github,
            ("LOG_LEVEL", "Information"),
            ("LLM_PROVIDER", "none")), Ct);
        using var http = server.CreateClient();
        http.Timeout = TimeSpan.FromSeconds(60);

        // A harmless comment first: Nectr asks GitHub once per process who it is (GET /user), never per delivery.
        using (var warmUp = await http.SendAsync(SignedDelivery.Create("issue_comment", Comment("thanks!"), E2EDatabase.Secret), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, warmUp.StatusCode);
        }

        var callsBefore = github.Requests.Count;
        var outputBefore = server.Output.Length;
        var valid = Encoding.UTF8.GetString(Comment($"@nectr review {Marker}"));
        Hostile[] hostile =
        [
            new("1 MB body", Comment($"Looks good.\n{Marker}\n" + new string('A', 1024 * 1024)), HttpStatusCode.OK, "comment is not a command"),
            new("NUL characters", Comment($"\0@nectr review\0 {Marker}\0\0"), HttpStatusCode.OK, "comment is not a command"),
            new("raw NUL bytes in the JSON", Encoding.UTF8.GetBytes(valid.Replace(Marker, Marker + "\0\0", StringComparison.Ordinal)), HttpStatusCode.BadRequest),
            new("comment.body a number", With(c => c["comment"]!["body"] = 42), HttpStatusCode.BadRequest),
            new("comment.body an object", With(c => c["comment"]!["body"] = new JsonObject { ["text"] = $"@nectr review {Marker}" }), HttpStatusCode.BadRequest),
            new("comment.user and sender null", With(c => { c["comment"]!["user"] = null; c["sender"] = null; }), HttpStatusCode.OK, "the comment names no author"),
            new("issue.number a string", With(c => c["issue"]!["number"] = "12"), HttpStatusCode.OK, "not a pull request"),
            new("truncated body", Encoding.UTF8.GetBytes(valid[..(valid.Length / 2)]), HttpStatusCode.BadRequest),
            new("wrong signature", Comment($"@nectr review {Marker}"), HttpStatusCode.Unauthorized, Secret: "not-the-webhook-secret"),
        ];

        var deliveries = new List<(Hostile Case, string DeliveryId)>();
        foreach (var delivery in hostile)
        {
            var id = Guid.NewGuid().ToString();
            deliveries.Add((delivery, id));
            using var response = await http.SendAsync(SignedDelivery.Create("issue_comment", delivery.Body, delivery.Secret, id), Ct);
            var answer = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(delivery.Status == response.StatusCode, $"{delivery.Name}: {(int)response.StatusCode} {answer}");
            Assert.DoesNotContain(Marker, answer, StringComparison.Ordinal);
            if (delivery.Skipped is { } reason)
            {
                using var json = JsonDocument.Parse(answer);
                Assert.Equal("skipped", json.RootElement.GetProperty("outcome").GetString());
                Assert.Contains(reason, json.RootElement.GetProperty("reason").GetString(), StringComparison.Ordinal);
            }
            else
            {
                Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            }
        }

        var stored = await E2EDatabase.QueryAsync(database, db => db.Deliveries.AsNoTracking().ToListAsync(Ct));
        foreach (var (delivery, id) in deliveries)
        {
            var record = stored.SingleOrDefault(d => d.DeliveryId == id);
            if (delivery.Skipped is { } reason)
            {
                Assert.True(record is { Outcome: DeliveryOutcome.Skipped, JobId: null }, $"{delivery.Name}: {record?.Outcome} {record?.OutcomeReason}");
                Assert.Contains(reason, record!.OutcomeReason, StringComparison.Ordinal);
            }
            else
            {
                Assert.True(record is null, $"{delivery.Name} was stored although it was refused");
            }
        }

        Assert.Equal(0, await E2EDatabase.QueryAsync(database, db => db.ReviewJobs.CountAsync(Ct)));
        Assert.Equal(callsBefore, github.Requests.Count);

        var log = server.Output[outputBefore..];
        Assert.DoesNotContain(Marker, log, StringComparison.Ordinal);
        Assert.DoesNotContain(E2EDatabase.Secret, log, StringComparison.Ordinal);
        Assert.DoesNotContain("AAAAAAAAAAAAAAAA", log, StringComparison.Ordinal);
        Assert.DoesNotContain("fail:", log, StringComparison.Ordinal);
        Assert.DoesNotContain("crit:", log, StringComparison.Ordinal);
        foreach (var (delivery, id) in deliveries)
        {
            var entries = log.Split('\n').Count(line => line.Contains(id, StringComparison.Ordinal));
            Assert.True(entries <= 1, $"{delivery.Name}: {entries} log entries\n{log}");
        }

        github.AssertNoUnexpectedCalls();
    }

    private static byte[] Comment(string body) => CommentPayload.OnPullRequest(Owner, Repo, RepoId, Number, 1001, body, "alice");

    private static byte[] With(Action<JsonObject> change)
    {
        var root = JsonNode.Parse(Comment($"@nectr review {Marker}"))!.AsObject();
        change(root);
        return JsonSerializer.SerializeToUtf8Bytes(root);
    }
}
