using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Webhooks;

/// <summary>
/// Every one of GitHub's example payloads, with a NUL and an escape character put into its free text (titles, bodies,
/// names, descriptions, messages), signed as GitHub signs: PostgreSQL refuses a NUL in text, so each delivery
/// must still be stored and answered as its event is (never a 5xx), and nothing is logged as an error.
/// </summary>
public sealed class WebhookControlCharacterTests
{
    // Logins and repository names are identifiers, checked as such (a 400 that names the field); these are free text.
    private static readonly HashSet<string> FreeText = ["title", "body", "name", "description", "message", "label", "bio", "company", "head_branch"];

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Every_example_with_control_characters_in_its_text_is_stored_and_answered_without_an_error(string provider)
    {
        var logs = new LogCollector();
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = new NectrApp(database, settings: new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0" }, logs: logs);
        using var client = app.CreateClient();
        var events = new[] { "pull_request", "issues", "issue_comment", "pull_request_review", "pull_request_review_comment", "check_run", "installation", "installation_repositories", "ping" };
        var failures = new List<string>();
        var sent = 0;

        foreach (var fixture in events.SelectMany(WebhookFixtures.All))
        {
            var json = JsonNode.Parse(fixture.Body)!;
            Poison(json);
            using var response = await client.SendAsync(SignedDelivery.Create(fixture.Event, Encoding.UTF8.GetBytes(json.ToJsonString()), NectrApp.WebhookSecret), Ct);
            sent++;
            if (response.StatusCode is not (HttpStatusCode.OK or HttpStatusCode.Accepted))
            {
                failures.Add($"{fixture.Name} → {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync(Ct)}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
        Assert.Equal(sent, await app.QueryAsync(db => db.Deliveries.CountAsync(Ct)));
        // The text reached the indexes, cleaned: the issue index and the knowledge index hold rows, none with a NUL.
        var issues = await app.QueryAsync(db => db.Issues.AsNoTracking().ToListAsync(Ct));
        var pulls = await app.QueryAsync(db => db.PullRequests.AsNoTracking().ToListAsync(Ct));
        Assert.NotEmpty(issues);
        Assert.NotEmpty(pulls);
        Assert.All(issues, i => Assert.DoesNotContain('\0', i.Title + i.Body + i.Labels));
        Assert.All(pulls, p => Assert.DoesNotContain('\0', p.Title));
        // No GitHub here: NectrIdentity's warning that it cannot ask who Nectr is, is expected.
        var errors = logs.Entries.Where(e => e.Level >= LogLevel.Warning && e.Category.StartsWith("Nectr", StringComparison.Ordinal) && e.Category != "Nectr.GitHub.NectrIdentity")
            .Select(e => $"{e.Level} {e.Category}: {e.Message} {e.Error?.GetType().Name} {e.Error?.Message}");
        Assert.Empty(errors);
    }

    /// <summary>Puts a NUL and an ESC into the middle of every free-text string of the payload.</summary>
    private static void Poison(JsonNode node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    if (value is JsonValue v && v.TryGetValue<string>(out var text) && FreeText.Contains(key) && text.Length > 0)
                    {
                        obj[key] = text[..(text.Length / 2)] + "\u0000\u001b" + text[(text.Length / 2)..];
                    }
                    else if (value is not null)
                    {
                        Poison(value);
                    }
                }

                break;
            case JsonArray array:
                foreach (var item in array.Where(i => i is not null))
                {
                    Poison(item!);
                }

                break;
        }
    }
}
