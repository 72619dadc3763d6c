using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Webhooks;

/// <summary>DESIGN §6 promises, exercised with GitHub's own example payloads signed as GitHub signs them.</summary>
public sealed class WebhookIntakeTests
{
    private static readonly HashSet<string> ReviewActions = ["opened", "synchronize", "reopened", "ready_for_review"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>No worker runs, so the jobs the deliveries created stay visible as queued.</summary>
    private static async Task<NectrApp> StartAsync(TestDatabase database, string? secret = NectrApp.WebhookSecret)
    {
        var app = new NectrApp(database, settings: new Dictionary<string, string?>
        {
            ["REVIEW_CONCURRENCY"] = "0",
            ["GITHUB_WEBHOOK_SECRET"] = secret,
        });
        app.CreateClient().Dispose();
        return app;
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_pull_request_example_gets_the_promised_response_and_reviewing_actions_one_job_per_head(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var expectedKeys = new HashSet<(string, int, string)>();

        foreach (var fixture in WebhookFixtures.All("pull_request"))
        {
            using var payload = JsonDocument.Parse(fixture.Body);
            var pr = payload.RootElement.GetProperty("pull_request");
            var reviews = ReviewActions.Contains(fixture.Action!) && pr.GetProperty("state").GetString() == "open" && !pr.GetProperty("draft").GetBoolean();

            using var response = await client.SendAsync(SignedDelivery.Create("pull_request", fixture.Body, NectrApp.WebhookSecret), Ct);

            Assert.Equal(reviews ? HttpStatusCode.Accepted : HttpStatusCode.OK, response.StatusCode);
            if (reviews)
            {
                expectedKeys.Add((payload.RootElement.GetProperty("repository").GetProperty("full_name").GetString()!,
                    pr.GetProperty("number").GetInt32(), pr.GetProperty("head").GetProperty("sha").GetString()!));
            }
        }

        var jobs = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().ToListAsync(Ct));
        Assert.NotEmpty(expectedKeys);
        Assert.Equal(expectedKeys.Order(), jobs.Select(j => (j.RepositoryFullName, j.PullNumber, j.HeadSha)).Order());
        var deliveries = await app.QueryAsync(db => db.Deliveries.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(WebhookFixtures.All("pull_request").Count(), deliveries.Count);
        Assert.All(deliveries.Where(d => !ReviewActions.Contains(d.Action!)), d =>
        {
            Assert.Equal(DeliveryOutcome.Skipped, d.Outcome);
            Assert.Null(d.JobId);
            Assert.False(string.IsNullOrEmpty(d.OutcomeReason));
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_issues_example_is_stored_for_context_and_creates_no_job(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        foreach (var fixture in WebhookFixtures.All("issues"))
        {
            using var response = await client.SendAsync(SignedDelivery.Create("issues", fixture.Body, NectrApp.WebhookSecret), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
        var stored = await app.QueryAsync(db => db.Deliveries.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(WebhookFixtures.All("issues").Count(), stored.Count);
        Assert.All(stored, d =>
        {
            Assert.Equal("issues", d.Event);
            Assert.Equal(DeliveryOutcome.Skipped, d.Outcome);
            Assert.Contains("context", d.OutcomeReason, StringComparison.Ordinal);
            Assert.StartsWith("{", DeliveryPayload.Text(d).TrimStart(), StringComparison.Ordinal);
        });
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task The_stored_payload_reads_back_as_exactly_the_signed_bytes_and_old_text_rows_still_read(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var fixture = WebhookFixtures.All("pull_request").First(f => f.Action == "synchronize");
        using (var response = await client.SendAsync(SignedDelivery.Create("pull_request", fixture.Body, NectrApp.WebhookSecret, "stored-bytes-1"), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var stored = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.DeliveryId == "stored-bytes-1", Ct));
        Assert.Null(stored.Payload);
        Assert.True(stored.PayloadBrotli!.Length < fixture.Body.Length / 2, $"{stored.PayloadBrotli.Length} bytes stored for {fixture.Body.Length}");
        Assert.Equal(fixture.Body, DeliveryPayload.Bytes(stored));
        Assert.Equal(Encoding.UTF8.GetString(fixture.Body), DeliveryPayload.Text(stored));

        // A row written before payloads were compressed keeps its text and reads back the same way.
        var legacy = new DeliveryRecord { DeliveryId = "legacy", Event = "ping", Payload = "{\"zen\":\"ü\"}" };
        Assert.Equal("{\"zen\":\"ü\"}", DeliveryPayload.Text(legacy));
        Assert.Equal(Encoding.UTF8.GetBytes("{\"zen\":\"ü\"}"), DeliveryPayload.Bytes(legacy));
    }

    [Fact]
    public async Task Every_ping_example_answers_200()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        foreach (var fixture in WebhookFixtures.All("ping"))
        {
            using var response = await client.SendAsync(SignedDelivery.Create("ping", fixture.Body, NectrApp.WebhookSecret), Ct);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
    }

    [Fact]
    public async Task An_unsigned_delivery_is_refused_401_and_nothing_is_stored()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        using var request = SignedDelivery.Create("pull_request", WebhookFixtures.Load("pull_request.opened.json"), NectrApp.WebhookSecret);
        request.Headers.Remove("X-Hub-Signature-256");
        request.Headers.Remove("X-Hub-Signature");

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        await AssertNothingStoredAsync(app);
    }

    [Theory]
    [InlineData("another-secret")]
    [InlineData("")]
    public async Task A_wrongly_signed_delivery_is_refused_401_and_nothing_is_stored(string wrongSecret)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", WebhookFixtures.Load("pull_request.opened.json"), wrongSecret), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task A_body_changed_after_signing_is_refused_401()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var body = WebhookFixtures.Load("pull_request.opened.json");
        using var request = SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret);
        var tampered = Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(body).Replace("Codertocat", "Evilcat", StringComparison.Ordinal));
        request.Content = new ByteArrayContent(tampered) { Headers = { { "Content-Type", "application/json" } } };

        using var response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task With_no_secret_configured_every_delivery_is_refused_401()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database, secret: null);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedDelivery.Create("ping", WebhookFixtures.Load("ping.json"), "any-secret"), Ct);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains("GITHUB_WEBHOOK_SECRET", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        await AssertNothingStoredAsync(app);
    }

    [Theory]
    [InlineData("{\"action\": \"opened\", ")]
    [InlineData("not json at all")]
    [InlineData("{\"action\":\"opened\",\"pull_request\":{\"number\":1}}")]
    public async Task Malformed_json_with_a_valid_signature_is_refused_400(string body)
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", Encoding.UTF8.GetBytes(body), NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await AssertNothingStoredAsync(app);
    }

    [Fact]
    public async Task A_26_MB_body_is_refused_413()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var body = new byte[26 * 1024 * 1024];
        Array.Fill(body, (byte)' ');

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        await AssertNothingStoredAsync(app);
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_redelivered_delivery_answers_200_and_does_nothing(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var body = WebhookFixtures.Load("pull_request.opened.json");
        var deliveryId = Guid.NewGuid().ToString();

        using var first = await client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret, deliveryId: deliveryId), Ct);
        using var again = await client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret, deliveryId: deliveryId), Ct);

        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Contains("\"duplicate\":true", await again.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
        Assert.Equal(1, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(1, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Concurrent_redeliveries_of_one_delivery_store_it_once(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var body = WebhookFixtures.Load("pull_request.opened.json");
        var deliveryId = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ =>
            client.SendAsync(SignedDelivery.Create("pull_request", body, NectrApp.WebhookSecret, deliveryId: deliveryId), Ct)));

        Assert.All(responses, r => Assert.True(r.IsSuccessStatusCode));
        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Accepted);
        Assert.Equal(1, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(1, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_new_delivery_for_an_already_queued_head_links_to_its_job(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        var opened = PullRequestPayload.From("pull_request.opened.json", "octo", "app", 12, Sha('a'), 1001);
        var again = PullRequestPayload.From("pull_request.reopened.json", "octo", "app", 12, Sha('a'), 1001);

        using var first = await client.SendAsync(SignedDelivery.Create("pull_request", opened, NectrApp.WebhookSecret), Ct);
        using var second = await client.SendAsync(SignedDelivery.Create("pull_request", again, NectrApp.WebhookSecret), Ct);

        var job = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().SingleAsync(Ct));
        var deliveries = await app.QueryAsync(db => db.Deliveries.AsNoTracking().ToListAsync(Ct));
        Assert.Equal(2, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(job.Id, d.JobId));
        Assert.All(deliveries, d => Assert.Equal(DeliveryOutcome.Pending, d.Outcome));
    }

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task A_newer_head_supersedes_the_queued_review_of_an_older_one(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        using var first = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo", "app", 5, Sha('1'), 1001), NectrApp.WebhookSecret), Ct);
        using var second = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.synchronize.json", "octo", "app", 5, Sha('2'), 1001), NectrApp.WebhookSecret), Ct);

        var jobs = await app.QueryAsync(db => db.ReviewJobs.AsNoTracking().OrderBy(j => j.Id).ToListAsync(Ct));
        Assert.Equal(2, jobs.Count);
        Assert.Equal(JobStatus.Skipped, jobs[0].Status);
        Assert.Contains("superseded", jobs[0].OutcomeReason, StringComparison.Ordinal);
        Assert.Equal(JobStatus.Queued, jobs[1].Status);
        var oldDelivery = await app.QueryAsync(db => db.Deliveries.AsNoTracking().SingleAsync(d => d.HeadSha == Sha('1'), Ct));
        Assert.Equal(DeliveryOutcome.Skipped, oldDelivery.Outcome);
    }

    [Fact]
    public async Task A_draft_waits_for_ready_for_review()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();

        using var draft = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.opened.json", "octo", "app", 9, Sha('d'), 1001, draft: true), NectrApp.WebhookSecret), Ct);
        Assert.Equal(HttpStatusCode.OK, draft.StatusCode);
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));

        using var ready = await client.SendAsync(SignedDelivery.Create("pull_request",
            PullRequestPayload.From("pull_request.ready_for_review.json", "octo", "app", 9, Sha('d'), 1001, draft: false), NectrApp.WebhookSecret), Ct);
        Assert.Equal(HttpStatusCode.Accepted, ready.StatusCode);
        Assert.Equal(1, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
    }

    [Fact]
    public async Task A_storage_failure_answers_503_so_GitHub_can_redeliver()
    {
        await using var database = await TestDatabase.CreateAsync("sqlite");
        await using var app = await StartAsync(database);
        using var client = app.CreateClient();
        await app.QueryAsync(db => db.Database.ExecuteSqlRawAsync("DROP TABLE deliveries", Ct));

        using var response = await client.SendAsync(SignedDelivery.Create("pull_request", WebhookFixtures.Load("pull_request.opened.json"), NectrApp.WebhookSecret), Ct);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Contains("redeliver", await response.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    private static string Sha(char c) => new(c, 40);

    private static async Task AssertNothingStoredAsync(NectrApp app)
    {
        Assert.Equal(0, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        Assert.Equal(0, await app.QueryAsync(db => db.ReviewJobs.CountAsync(Ct)));
    }
}
