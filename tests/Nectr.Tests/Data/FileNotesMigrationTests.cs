using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Nectr.Data;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Data;

/// <summary>
/// Older versions stored a review's coverage by hand as <c>[[path, reason]]</c> pairs (and read objects too). The
/// migration rewrites every row to the one shape the JSON mapping reads, on both providers.
/// </summary>
public sealed class FileNotesMigrationTests
{

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [MemberData(nameof(TestDatabase.Providers), MemberType = typeof(TestDatabase))]
    public async Task Coverage_written_in_the_old_shapes_reads_the_same_after_the_migration(string provider)
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        long pairs, garbage;
        await using (var db = Context(database))
        {
            // The last migration before FileNotesAsJson (each provider's set has its own timestamps).
            var before = db.Database.GetMigrations().TakeWhile(m => !m.EndsWith("_FileNotesAsJson", StringComparison.Ordinal)).Last();
            await db.GetService<IMigrator>().MigrateAsync(before, Ct);
            pairs = await InsertReviewAsync(db, 1,
                """[["package-lock.json","lock file"],["dist/app.min.js","minified"]]""",
                """[{"path":"src/Big.cs","reason":"token budget"}]""");
            garbage = await InsertReviewAsync(db, 2, "not json", "[]");
            await db.Database.MigrateAsync(Ct);
        }

        await using var app = new NectrApp(database);
        var (client, user) = await app.SignedInClientAsync("octocat", 583231);
        using var _ = client;
        await app.QueryAsync(db =>
        {
            db.UserRepositories.Add(new UserRepositoryAccess { UserId = user.Id, RepositoryFullName = "acme/api", GitHubRepoId = 1, RefreshedAt = DateTime.UtcNow });
            return db.SaveChangesAsync(Ct);
        });

        var stored = await app.QueryAsync(db => db.Reviews.AsNoTracking().SingleAsync(r => r.Id == pairs, Ct));
        Assert.Equal([("package-lock.json", "lock file"), ("dist/app.min.js", "minified")], stored.SkippedFiles.Select(n => (n.Path, n.Reason)));
        Assert.Equal([("src/Big.cs", "token budget")], stored.NotSentToModel.Select(n => (n.Path, n.Reason)));
        var coverage = (await client.GetFromJsonAsync<JsonElement>($"/api/v1/reviews/{pairs}", Ct)).GetProperty("coverage");
        Assert.Equal("dist/app.min.js", coverage.GetProperty("skipped")[1].GetProperty("path").GetString());
        Assert.Equal("minified", coverage.GetProperty("skipped")[1].GetProperty("reason").GetString());
        Assert.Equal("token budget", coverage.GetProperty("not_sent_to_model")[0].GetProperty("reason").GetString());
        var empty = await app.QueryAsync(db => db.Reviews.AsNoTracking().SingleAsync(r => r.Id == garbage, Ct));
        Assert.Empty(empty.SkippedFiles);
        Assert.Empty(empty.NotSentToModel);
        Assert.Contains("dist/app.min.js", await client.GetStringAsync($"/reviews/{pairs}", Ct), StringComparison.Ordinal);
    }

    /// <summary>A context on <paramref name="database"/> outside the app, to put its schema at an older migration.</summary>
    internal static NectrDb Context(TestDatabase database) => database.Provider == "postgres"
        ? new PostgresNectrDb(new DbContextOptionsBuilder<PostgresNectrDb>().UseNpgsql(database.ConnectionString).Options)
        : new SqliteNectrDb(new DbContextOptionsBuilder<SqliteNectrDb>().UseSqlite(database.ConnectionString).Options);

    /// <summary>A job and its review as the version before the migration stored them, coverage columns verbatim.</summary>
    private static async Task<long> InsertReviewAsync(NectrDb db, int number, string skipped, string notSent)
    {
        var now = DateTime.UtcNow;
        var sha = $"{number:x}".PadLeft(40, 'a');
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO review_jobs ("RepositoryFullName", "PullNumber", "HeadSha", "Status", "Attempts", "RunAfterMs", "PostAttempted", "CreatedAt", "UpdatedAt")
            VALUES ('acme/api', {number}, {sha}, 2, 1, 0, TRUE, {now}, {now})
            """, Ct);
        var jobId = await db.ReviewJobs.Where(j => j.HeadSha == sha).Select(j => j.Id).SingleAsync(Ct);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO reviews ("JobId", "RepositoryFullName", "PullNumber", "HeadSha", "Event", "Body", "ChangedFiles", "ReviewedFiles",
                "SkippedFilesJson", "NotSentToModelJson", "InlineComments", "DurationMs", "Verdict", "LlmCalls", "InputTokens", "OutputTokens", "CreatedAt")
            VALUES ({jobId}, 'acme/api', {number}, {sha}, 'COMMENT', 'Looks fine.', 3, 1, {skipped}, {notSent}, 0, 10, 'approve', 0, 0, 0, {now})
            """, Ct);
        return await db.Database.SqlQuery<long>($"""SELECT "Id" AS "Value" FROM reviews WHERE "JobId" = {jobId}""").SingleAsync(Ct);
    }
}
