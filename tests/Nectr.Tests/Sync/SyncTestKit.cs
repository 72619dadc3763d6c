using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.EntityFrameworkCore;
using Nectr.Data;
using Nectr.Sync;
using Nectr.Tests.Infrastructure;

namespace Nectr.Tests.Sync;

/// <summary>A sync task whose steps a test scripts; it records the cursor each step started from.</summary>
internal sealed class ScriptedSyncTask : IRepositorySyncTask
{
    public const string KindName = "scripted";

    public ConcurrentQueue<string?> Seen { get; } = new();

    /// <summary>What a step does; by default null → "1" → "2" → done.</summary>
    public Func<string, string?, Task<string?>> Step { get; set; } = (_, cursor) => Task.FromResult(cursor switch { null => "1", "1" => "2", _ => (string?)null });

    public string Kind => KindName;

    public Task<string?> StepAsync(string repositoryFullName, string? cursor, CancellationToken cancellationToken)
    {
        Seen.Enqueue(cursor);
        return Step(repositoryFullName, cursor);
    }
}

/// <summary>The app with the runner off (<c>SYNC_CONCURRENCY=0</c>) so a test drives <see cref="SyncRunner.RunNextAsync"/> itself.</summary>
internal sealed class SyncTestKit(TestDatabase database, NectrApp app, ScriptedSyncTask task) : IAsyncDisposable
{
    public const string Repo = "acme/sync";
    public const string Owner = "test-runner";

    public NectrApp App => app;

    public ScriptedSyncTask Task => task;

    public SyncRunner Runner => app.Services.GetRequiredService<SyncRunner>();

    public SyncQueue Queue => app.Services.GetRequiredService<SyncQueue>();

    public RepositorySync Sync => app.Services.GetRequiredService<RepositorySync>();

    public static async Task<SyncTestKit> StartAsync(string provider, IDictionary<string, string?>? settings = null, Microsoft.Extensions.Logging.ILoggerProvider? logs = null)
    {
        var database = await TestDatabase.CreateAsync(provider);
        var task = new ScriptedSyncTask();
        var all = new Dictionary<string, string?> { ["REVIEW_CONCURRENCY"] = "0", ["SYNC_CONCURRENCY"] = "0" };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            all[key] = value;
        }

        var app = new NectrApp(database, settings: all, logs: logs)
        {
            TestServices = services => services.AddScoped<IRepositorySyncTask>(_ => task),
        };
        app.CreateClient().Dispose();
        return new SyncTestKit(database, app, task);
    }

    public Task<SyncJobRecord> JobAsync(string kind = ScriptedSyncTask.KindName) =>
        app.QueryAsync(db => db.SyncJobs.AsNoTracking().SingleAsync(j => j.RepositoryFullName == Repo && j.Kind == kind));

    /// <summary>Makes a queued job due now, as if its wait had passed.</summary>
    public Task MakeDueAsync() =>
        app.QueryAsync(db => db.SyncJobs.Where(j => j.RepositoryFullName == Repo).ExecuteUpdateAsync(u => u.SetProperty(j => j.NextAttemptAtMs, 0L)));

    public async ValueTask DisposeAsync()
    {
        await app.DisposeAsync();
        await database.DisposeAsync();
    }
}
