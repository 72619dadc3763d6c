using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Nectr.Data;

namespace Nectr.Tests.Infrastructure;

/// <summary>
/// The real Nectr app in-process, configured only through its public settings (the same names an operator sets),
/// with its own database and GitHub pointed at a fake on loopback.
/// </summary>
public sealed class NectrApp : WebApplicationFactory<Program>
{
    public const string WebhookSecret = "test-webhook-secret-3f1c";
    private readonly Dictionary<string, string?> _settings;

    public NectrApp(TestDatabase database, Uri? gitHubApiUrl = null, string? gitHubToken = null, IDictionary<string, string?>? settings = null)
    {
        Database = database;
        _settings = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase)
        {
            ["APP_ENV"] = "test",
            ["LOG_LEVEL"] = "Warning",
            ["DATABASE_URL"] = database.Url,
            ["GITHUB_WEBHOOK_SECRET"] = WebhookSecret,
            ["GITHUB_API_URL"] = (gitHubApiUrl ?? new Uri("http://127.0.0.1:9/")).ToString(),
            ["GITHUB_PAT"] = gitHubToken ?? "ghp_unused_in_this_test",
            ["REVIEW_CONCURRENCY"] = "2",
            // No model unless a test brings a fake one: a developer's real keys must never be used by a test.
            ["LLM_PROVIDER"] = "none",
            ["REVIEW_POLL_SECONDS"] = "0.2",
            ["REVIEW_RETRY_BASE_SECONDS"] = "0.2",
            ["REVIEW_RETRY_MAX_SECONDS"] = "1",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }
    }

    /// <summary>A short-lived context on the app's own database, for assertions.</summary>
    internal async Task<T> QueryAsync<T>(Func<NectrDb, Task<T>> query)
    {
        var factory = Services.GetRequiredService<IDbContextFactory<NectrDb>>();
        await using var db = await factory.CreateDbContextAsync();
        return await query(db);
    }

    /// <summary>Polls the database until <paramref name="condition"/> holds; fails the test after the timeout.</summary>
    internal async Task WaitUntilAsync(Func<NectrDb, Task<bool>> condition, TimeSpan? timeout = null, string? what = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!await QueryAsync(condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what ?? "the condition"}.");
            }

            await Task.Delay(50);
        }
    }
}
