using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
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
    private readonly ILoggerProvider? _logs;

    /// <summary>The app on <paramref name="database"/>; <paramref name="logs"/>, when given, also receives its logs.</summary>
    public NectrApp(TestDatabase database, Uri? gitHubApiUrl = null, string? gitHubToken = null, IDictionary<string, string?>? settings = null,
        ILoggerProvider? logs = null)
    {
        Database = database;
        _logs = logs;
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
            // Commit statuses (on by default) add two writes per review; the tests that count calls predate them, so
            // only the tests about statuses turn them on (tests/Nectr.Tests/Checks, GitHubApp).
            ["REVIEW_COMMIT_STATUS"] = "false",
            ["REVIEW_POLL_SECONDS"] = "0.2",
            ["REVIEW_RETRY_BASE_SECONDS"] = "0.2",
            ["REVIEW_RETRY_MAX_SECONDS"] = "1",
            // Harmless outside production; lets a test switch APP_ENV to production without a key-ring certificate.
            ["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"] = "true",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            _settings[key] = value;
        }
    }

    public TestDatabase Database { get; }

    /// <summary>The app's clock; a <c>FakeTimeProvider</c> lets a test move past backoffs and deadlines instead of waiting.</summary>
    public TimeProvider? Clock { get; init; }

    /// <summary>Services a test adds to the app's own (a sync task to drive the runner with, say); applied after the app's registrations.</summary>
    public Action<IServiceCollection>? TestServices { get; init; }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        foreach (var (key, value) in _settings)
        {
            builder.UseSetting(key, value);
        }

        if (Clock is { } clock)
        {
            builder.ConfigureTestServices(services => services.AddSingleton(clock));
        }

        if (TestServices is { } testServices)
        {
            builder.ConfigureTestServices(testServices);
        }

        if (_logs is not null)
        {
            builder.ConfigureLogging(logging => logging.AddProvider(_logs));
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

    /// <summary>
    /// A client signed in as <paramref name="login"/>, created if new. The session cookie is minted with the app's
    /// own cookie protection (what a completed OAuth sign-in would set), so the real authentication middleware
    /// checks it; the OAuth flow itself is tested on its own.
    /// </summary>
    internal async Task<(HttpClient Client, UserRecord User)> SignedInClientAsync(string login, long gitHubId, string? token = null)
    {
        var user = await QueryAsync(async db =>
        {
            var existing = await db.Users.FirstOrDefaultAsync(u => u.GitHubId == gitHubId);
            if (existing is null)
            {
                existing = new UserRecord { GitHubId = gitHubId, Login = login, CreatedAt = DateTime.UtcNow, LastLoginAt = DateTime.UtcNow };
                db.Users.Add(existing);
            }

            if (token is not null)
            {
                existing.AccessTokenProtected = Services.GetRequiredService<Nectr.Auth.UserTokens>().Protect(token);
            }

            await db.SaveChangesAsync();
            return existing;
        });
        var cookieOptions = Services.GetRequiredService<Microsoft.Extensions.Options.IOptionsMonitor<Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationOptions>>()
            .Get(Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme);
        var ticket = new Microsoft.AspNetCore.Authentication.AuthenticationTicket(Nectr.Auth.NectrClaims.PrincipalFor(user),
            new Microsoft.AspNetCore.Authentication.AuthenticationProperties { IssuedUtc = DateTimeOffset.UtcNow, ExpiresUtc = DateTimeOffset.UtcNow.AddHours(1) },
            Microsoft.AspNetCore.Authentication.Cookies.CookieAuthenticationDefaults.AuthenticationScheme);
        var client = CreateClient(new WebApplicationFactoryClientOptions { BaseAddress = new Uri("https://localhost/"), AllowAutoRedirect = false });
        client.DefaultRequestHeaders.Add("Cookie", $"{Nectr.Auth.AuthExtensions.SessionCookie}={cookieOptions.TicketDataFormat.Protect(ticket)}");
        return (client, user);
    }
}
