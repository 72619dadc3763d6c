using Microsoft.EntityFrameworkCore;
using Nectr.Configuration;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.E2E.Infrastructure;

/// <summary>Reads the database a server process writes, the way Nectr itself opens DATABASE_URL.</summary>
internal static class E2EDatabase
{
    public static NectrDb Open(TestDatabase database)
    {
        var settings = DatabaseSettings.Parse(database.Url);
        return settings.Provider == DatabaseProvider.Sqlite
            ? new SqliteNectrDb(new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite(settings.ConnectionString).Options)
            : new PostgresNectrDb(new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql(settings.ConnectionString).Options);
    }

    public static async Task<T> QueryAsync<T>(TestDatabase database, Func<NectrDb, Task<T>> query)
    {
        await using var db = Open(database);
        return await query(db);
    }

    public static async Task WaitUntilAsync(TestDatabase database, Func<NectrDb, Task<bool>> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await QueryAsync(database, condition))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out waiting for {what}.");
            }

            await Task.Delay(100);
        }
    }

    /// <summary>The settings every E2E server gets: its database, the fake GitHub, the test webhook secret.</summary>
    public static Dictionary<string, string> Settings(TestDatabase database, FakeGitHub github, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string>
        {
            ["APP_ENV"] = "test",
            ["LOG_LEVEL"] = "Warning",
            ["DATABASE_URL"] = database.Url,
            ["GITHUB_WEBHOOK_SECRET"] = Secret,
            ["GITHUB_API_URL"] = github.ApiUrl.ToString(),
            ["GITHUB_PAT"] = github.Token,
            ["REVIEW_POLL_SECONDS"] = "0.2",
            ["REVIEW_RETRY_BASE_SECONDS"] = "0.2",
            ["REVIEW_RETRY_MAX_SECONDS"] = "1",
            // The tests here count review POSTs; commit statuses (on by default) are tested in Nectr.Tests.
            ["REVIEW_COMMIT_STATUS"] = "false",
            // Harmless outside production; lets a test switch APP_ENV to production without a key-ring certificate.
            ["DATA_PROTECTION_ALLOW_UNENCRYPTED_KEYS"] = "true",
        };
        foreach (var (key, value) in extra)
        {
            settings[key] = value;
        }

        return settings;
    }

    /// <summary>
    /// <see cref="Settings"/> for a server people sign in to as README's local set-up has it: in development, at
    /// <paramref name="publicUrl"/>, GitHub's OAuth pages played by the fake, <paramref name="allowedUsers"/> let in, no
    /// worker and no model unless <paramref name="extra"/> says otherwise.
    /// </summary>
    public static Dictionary<string, string> SignInSettings(TestDatabase database, FakeGitHub github, Uri publicUrl, string allowedUsers, params (string Key, string Value)[] extra) =>
        Settings(database, github, [
            ("APP_ENV", "development"),
            ("BACKEND_URL", publicUrl.ToString()),
            ("GITHUB_WEB_URL", github.ApiUrl.ToString()),
            ("GITHUB_CLIENT_ID", FakeGitHub.OAuthClientId),
            ("GITHUB_CLIENT_SECRET", FakeGitHub.OAuthClientSecret),
            ("AUTH_ALLOWED_USERS", allowedUsers),
            ("REVIEW_CONCURRENCY", "0"),
            ("LLM_PROVIDER", "none"),
            .. extra]);

    public const string Secret = "e2e-webhook-secret-7d2a";
}
